namespace EdgeTwin.Gateway.Pipeline;

using EdgeTwin.Drivers.Model;
using EdgeTwin.Gateway.Twin;

/// <summary>A driver whose samples pass through a <see cref="DecimatingSink"/> (desired sample rates).</summary>
internal sealed class DecimatingDriver(IDeviceDriver inner, ShadowTwin twin) : IDeviceDriver
{
    public DeviceInfo Info => inner.Info;

    public DeviceHealth Health => inner.Health;

    public Task RunAsync(ISampleSink sink, CancellationToken cancellationToken) => inner.RunAsync(new DecimatingSink(sink, twin), cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
