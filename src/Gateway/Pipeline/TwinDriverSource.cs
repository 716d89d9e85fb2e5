namespace EdgeTwin.Gateway.Pipeline;

using EdgeTwin.Drivers.Model;
using EdgeTwin.Gateway.Twin;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

/// <summary>
/// Wraps the gateway's driver source so the twin knows every device the pipeline runs (identity
/// and streams, against which desired device settings are checked) and can watch its health, each
/// driver's samples pass the desired sample rates (<see cref="DecimatingSink"/>), and a driver runs
/// only while its device is enabled (<see cref="EnabledDriver"/>).
/// </summary>
internal sealed class TwinDriverSource : IDriverSource, IDeviceHealthSource
{
    private readonly IDriverSource _inner;
    private readonly TwinController _controller;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private IReadOnlyList<IDeviceDriver> _drivers = [];

    public TwinDriverSource(IDriverSource inner, TwinController controller, TimeProvider? time = null, ILogger<TwinDriverSource>? logger = null)
    {
        _inner = inner;
        _controller = controller;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        controller.Twin.ExpectDevices();
    }

    /// <summary>Whether the desired state has the device enabled (the default).</summary>
    public bool IsEnabled(string deviceId) => _controller.Twin.Control.Configuration.For(deviceId).Enabled;

    public IReadOnlyList<IDeviceDriver> CreateDrivers()
    {
        IReadOnlyList<IDeviceDriver> drivers = [.. _inner.CreateDrivers().Select(d =>
            new EnabledDriver(new DecimatingDriver(d, _controller.Twin), () => IsEnabled(d.Info.DeviceId), _time, _logger))];
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
