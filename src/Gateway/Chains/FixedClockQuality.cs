namespace EdgeTwin.Gateway.Chains;

using EdgeTwin.Telemetry.Records;

/// <summary>An operator's statement (<c>Gateway:Clock=synced|unsynced</c>) that overrides the kernel's view.</summary>
internal sealed class FixedClockQuality(ClockQuality quality) : IClockQuality
{
    public ClockQuality Current => quality;
}
