namespace EdgeTwin.Drivers.Model;

/// <summary>
/// A source of samples. <see cref="RunAsync"/> writes samples until cancelled; it must not throw
/// for a device fault: a faulty device marks its samples invalid, changes <see cref="Health"/>, and
/// retries with back-off. Time comes from the injected <see cref="TimeProvider"/>.
/// </summary>
public interface IDeviceDriver : IAsyncDisposable
{
    DeviceInfo Info { get; }

    DeviceHealth Health { get; }

    Task RunAsync(ISampleSink sink, CancellationToken cancellationToken);
}
