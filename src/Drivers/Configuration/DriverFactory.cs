namespace EdgeTwin.Drivers.Configuration;

using System.Device.I2c;
using System.Globalization;
using EdgeTwin.Drivers.Ble;
using EdgeTwin.Drivers.Gpio.Annunciation;
using EdgeTwin.Drivers.Gpio.NurseCall;
using EdgeTwin.Drivers.Gpio.Hx711;
using EdgeTwin.Drivers.Hardware;
using EdgeTwin.Drivers.Hl7;
using EdgeTwin.Drivers.I2c.Ads1115Ecg;
using EdgeTwin.Drivers.I2c.Max30102;
using EdgeTwin.Drivers.I2c.Mpu6050;
using EdgeTwin.Drivers.I2c.Mlx90614;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Drivers.Replay;
using EdgeTwin.Drivers.Simulation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

/// <summary>
/// Builds the box's drivers from configuration. The caller owns the drivers (runs each with
/// <see cref="IDeviceDriver.RunAsync"/> and disposes them). Nothing is opened when the configuration is bad.
/// </summary>
public sealed class DriverFactory(TimeProvider time, ILoggerFactory? loggerFactory = null, HardwareAccess? hardware = null, IDeviceCursorStore? cursors = null)
{
    private readonly IDeviceCursorStore _cursors = cursors ?? new InMemoryDeviceCursors();
    private readonly ILoggerFactory _loggers = loggerFactory ?? NullLoggerFactory.Instance;
    private readonly HardwareAccess _hardware = hardware ?? HardwareAccess.Default;

    /// <summary>Falls from every <c>mpu6050-fall</c> device this factory built.</summary>
    public FallEvents Falls { get; } = new();

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

    /// <summary>The box's local lights and buzzer (the <c>Annunciator</c> section; a log-only one by default).</summary>
    public IAnnunciator CreateAnnunciator(IConfiguration configuration) => CreateAnnunciator(DriverConfiguration.Read(configuration));

    public IAnnunciator CreateAnnunciator(DriverOptions options)
    {
        DriverConfiguration.Validate(options);
        var a = options.Annunciator;
        var quiet = DriverConfiguration.QuietHoursOf(a);
        return a.Type == "gpio"
            ? new GpioAnnunciator(_hardware.OpenGpio(), new GpioAnnunciatorPins(a.RedPin, a.YellowPin, a.BuzzerPin), time, _loggers.CreateLogger<GpioAnnunciator>(), quiet)
            : new LogAnnunciator(time, _loggers.CreateLogger<LogAnnunciator>(), quiet);
    }

    /// <summary>The nurse-call buttons of the <c>NurseCall</c> section (none by default).</summary>
    public IReadOnlyList<INurseCallButton> CreateNurseCallButtons(IConfiguration configuration) => CreateNurseCallButtons(DriverConfiguration.Read(configuration));

    public IReadOnlyList<INurseCallButton> CreateNurseCallButtons(DriverOptions options)
    {
        DriverConfiguration.Validate(options);
        return [.. options.NurseCall.Select(b => new GpioNurseCallButton(b.Id, _hardware.OpenGpio(), b.Pin, time, _loggers.CreateLogger<GpioNurseCallButton>()))];
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
        DeviceTypes.Max30102 => CreateMax30102(device),
        DeviceTypes.Mlx90614 => CreateMlx90614(device),
        DeviceTypes.Ads1115Ecg => CreateAds1115Ecg(device),
        DeviceTypes.Hx711Scale => CreateHx711Scale(device),
        DeviceTypes.Mpu6050Fall => Polled(device, Mpu6050FallSensor.WhoAmI, "InvenSense MPU-6050", [], i2c => new Mpu6050FallSensor(i2c, device.Id, Falls, time)),
        DeviceTypes.Hl7Mllp => new Hl7MllpDriver(Hl7MllpConfiguration.Read(device), time, _loggers.CreateLogger<Hl7MllpDriver>()),
        DeviceTypes.BleGatt => new BleGattDriver(device.Id, BleGattSettings.Read(device), time, _loggers.CreateLogger<BleGattDriver>(), _cursors),
        _ => throw new DriverConfigurationException($"Device '{device.Id}': type '{device.Type}' is not known; expected one of {string.Join(", ", DeviceTypes.All)}."),
    };

    private PolledSensorDriver CreateMax30102(DeviceOptions device)
    {
        var settings = new Max30102Settings(
            RedLedMilliamps: device.Double("RedLedMilliamps", 7.2, 0, 51),
            IrLedMilliamps: device.Double("IrLedMilliamps", 7.2, 0, 51));
        settings.Validate();
        return Polled(device, I2c.Max30102.Max30102.DefaultI2cAddress, "Maxim MAX30102", Max30102Sensor.DescribeStreams(settings), i2c => new Max30102Sensor(i2c, settings));
    }

    private PolledSensorDriver CreateMlx90614(DeviceOptions device)
    {
        var offset = device.Double("OffsetC", 0, -5, 10);
        return Polled(device, Iot.Device.Mlx90614.Mlx90614.DefaultI2cAddress, "Melexis MLX90614", Mlx90614Sensor.StreamList, i2c => new Mlx90614Sensor(i2c, offset));
    }

    private PolledSensorDriver CreateAds1115Ecg(DeviceOptions device)
    {
        var settings = new Ads1115EcgSettings(
            RateHz: device.Double("RateHz", 250, 125, 500),
            FrontEndGain: device.Double("FrontEndGain", 1100, 1, 10_000),
            ReferenceVolts: device.Double("ReferenceVolts", 1.65, 0, 3.3),
            LeadOffPlusPin: device.Int("LeadOffPlusPin", 23, 2, 27),
            LeadOffMinusPin: device.Int("LeadOffMinusPin", 24, 2, 27));
        return Polled(device, 0x48, "TI ADS1115 + AD8232", Ads1115EcgSensor.DescribeStreams(settings), i2c => new Ads1115EcgSensor(i2c, _hardware.OpenGpio(), settings));
    }

    private PolledSensorDriver CreateHx711Scale(DeviceOptions device)
    {
        var settings = new Hx711ScaleSettings(
            DataPin: device.Int("DataPin", 5, 2, 27),
            ClockPin: device.Int("ClockPin", 6, 2, 27),
            TareCounts: device.Double("TareCounts", 0, Gpio.Hx711.Hx711.Minimum, Gpio.Hx711.Hx711.Maximum),
            CountsPerKilogram: device.Double("CountsPerKilogram", 21_000, 1, 10_000_000),
            MinimumLoadKg: device.Double("MinimumLoadKg", 5, 0.5, 100));
        var info = new DeviceInfo(device.Id, "Avia HX711 load-cell scale", "", "", $"gpio-{settings.DataPin}/{settings.ClockPin}", [StreamCodes.BodyWeight]);
        return new PolledSensorDriver(info, Hx711ScaleSensor.StreamList, () => new Hx711ScaleSensor(_hardware.OpenGpio(), settings), time, PolledSensorOptions.Default, _loggers.CreateLogger<PolledSensorDriver>());
    }

    /// <summary>A polled I2C sensor; the bus is opened inside the driver's probe, again for every re-probe.</summary>
    private PolledSensorDriver Polled(DeviceOptions device, byte defaultAddress, string model, IReadOnlyList<SensorStream> streams, Func<I2cDevice, ISensor> build)
    {
        var address = device.Address ?? defaultAddress;
        var connection = new I2cConnectionSettings(device.Bus, address);
        ISensor Open()
        {
            var i2c = _hardware.OpenI2c(connection);
            try
            {
                return build(i2c);
            }
            catch
            {
                i2c.Dispose();
                throw;
            }
        }

        var info = new DeviceInfo(device.Id, model, "", "", $"i2c-{device.Bus}/0x{address:X2}", [.. streams.Select(s => s.Code)]);
        return new PolledSensorDriver(info, streams, Open, time, PolledSensorOptions.Default, _loggers.CreateLogger<PolledSensorDriver>());
    }
}
