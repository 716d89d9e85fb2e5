namespace EdgeTwin.Bench.Gateway;

using EdgeTwin.Drivers.Model;
using EdgeTwin.Gateway.Pipeline;

/// <summary>The gateway's configured drivers plus the bench trigger.</summary>
internal sealed class WithTrigger(IDriverSource inner, TriggerDriver trigger) : IDriverSource
{
    public IReadOnlyList<IDeviceDriver> CreateDrivers() => [.. inner.CreateDrivers(), trigger];
}
