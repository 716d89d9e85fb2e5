using System.Globalization;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Drivers.Replay;
using EdgeTwin.Drivers.Simulation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeTwin.Drivers.Configuration;

/// <summary>
/// Builds the box's drivers from configuration. The caller owns the drivers (runs each with
/// <see cref="IDeviceDriver.RunAsync"/> and disposes them). Nothing is opened when the configuration is bad.
/// </summary>
public sealed class DriverFactory(TimeProvider time, ILoggerFactory? loggerFactory = null)
{
    private readonly ILoggerFactory _loggers = loggerFactory ?? NullLoggerFactory.Instance;

    /// <summary>Reads the <c>Simulation</c> and <c>Devices</c> sections and builds every driver.</summary>
    public IReadOnlyList<IDeviceDriver> Create(IConfiguration configuration) => Create(DriverConfiguration.Read(configuration));

    public IReadOnlyList<IDeviceDriver> Create(DriverOptions options)
    {
        DriverConfiguration.Validate(options);
        var drivers = new List<IDeviceDriver>();
        var sim = options.Simulation;
        var settings = new SimulatedBedSettings(sim.EcgRateHz, sim.PlethRateHz, sim.Speed, TimeSpan.FromMilliseconds(sim.WakeIntervalMs));
        for (var bed = 1; bed <= sim.Beds; bed++)
        {
            drivers.Add(new SimulatedBedDriver(
                sim.DeviceIdPrefix + bed.ToString(CultureInfo.InvariantCulture),
                sim.ScenarioOf(bed),
                sim.SeedOf(bed),
                settings,
                time,
                _loggers.CreateLogger<SimulatedBedDriver>()));
        }

        foreach (var device in options.Devices)
        {
            drivers.Add(CreateDevice(device));
        }

        return drivers;
    }

    private IDeviceDriver CreateDevice(DeviceOptions device) => device.Type.ToLowerInvariant() switch
    {
        DeviceTypes.EcgReplay => new EcgReplayDriver(
            device.Id,
            EcgRecording.MitBih208(),
            device.Bool("Loop", fallback: true),
            time,
            TimeSpan.FromMilliseconds(device.Int("WakeIntervalMs", 40, 5, 1000)),
            _loggers.CreateLogger<EcgReplayDriver>()),
        _ => throw new DriverConfigurationException($"Device '{device.Id}': type '{device.Type}' is not known; expected one of {string.Join(", ", DeviceTypes.All)}."),
    };
}
