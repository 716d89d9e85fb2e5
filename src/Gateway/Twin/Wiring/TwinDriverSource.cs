namespace EdgeTwin.Gateway.Twin.Wiring;

using EdgeTwin.Drivers.Model;
using EdgeTwin.Gateway.Pipeline;

/// <summary>
/// Wraps the gateway's driver source so the twin knows every device the pipeline runs (identity
/// and streams, against which desired device settings are checked) and can watch its health, and
/// each driver's samples pass the desired sample rates (<see cref="DecimatingSink"/>).
/// </summary>
internal sealed class TwinDriverSource : IDriverSource, IDeviceHealthSource
{
    private readonly IDriverSource _inner;
    private readonly TwinController _controller;
    private IReadOnlyList<IDeviceDriver> _drivers = [];

    public TwinDriverSource(IDriverSource inner, TwinController controller)
    {
        _inner = inner;
        _controller = controller;
        controller.Twin.ExpectDevices();
    }

    public IReadOnlyList<IDeviceDriver> CreateDrivers()
    {
        IReadOnlyList<IDeviceDriver> drivers = [.. _inner.CreateDrivers().Select(d => new DecimatingDriver(d, _controller.Twin))];
        foreach (var driver in drivers)
        {
            _controller.Twin.RegisterDevice(driver.Info);
        }

        _drivers = drivers;
        _controller.Twin.DevicesRegistered();
        return drivers;
    }

    /// <summary>The drivers the pipeline runs (empty until it created them).</summary>
    public IReadOnlyList<IDeviceDriver> Drivers => _drivers;

    public void Poll()
    {
        foreach (var driver in _drivers)
        {
            _controller.ObserveHealth(driver.Info.DeviceId, driver.Health);
        }
    }
}
