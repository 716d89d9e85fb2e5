namespace EdgeTwin.Gateway.Chains;

using EdgeTwin.Telemetry.Records;

/// <summary>Whether the gateway clock is known good right now (PROTOCOL §3 <c>clock</c>).</summary>
internal interface IClockQuality
{
    ClockQuality Current { get; }
}
