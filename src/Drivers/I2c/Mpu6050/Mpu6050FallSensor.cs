namespace EdgeTwin.Drivers.I2c.Mpu6050;

using System.Device.I2c;
using EdgeTwin.Drivers.Hardware;
using Iot.Device.Imu;

/// <summary>
/// InvenSense MPU-6050 accelerometer (through <c>Iot.Device.Imu</c>) at +-16 g, polled at 50 Hz, for
/// fall detection. It yields no samples: a fall is raised on <see cref="FallEvents"/>. Faults follow
/// the polled-driver rules (Degraded, Lost, re-probe), so a vanished sensor is visible in its health.
/// </summary>
internal sealed class Mpu6050FallSensor : ISensor
{
    public const byte WhoAmI = 0x68;
    private const double StandardGravity = 9.80665;

    private readonly I2cDevice _device;
    private readonly string _deviceId;
    private readonly FallEvents _events;
    private readonly TimeProvider _time;
    private readonly FallDetector _detector = new();
    private Iot.Device.Imu.Mpu6050? _imu;

    public Mpu6050FallSensor(I2cDevice device, string deviceId, FallEvents events, TimeProvider time)
    {
        _device = device ?? throw new ArgumentNullException(nameof(device));
        _deviceId = deviceId;
        _events = events;
        _time = time;
        BusAddress = $"i2c-{device.ConnectionSettings.BusId}/0x{device.ConnectionSettings.DeviceAddress:X2}";
    }

    public string Model => "InvenSense MPU-6050";

    public string BusAddress { get; }

    public IReadOnlyList<SensorStream> Streams => [];

    public TimeSpan PollInterval => TimeSpan.FromMilliseconds(20);

    public SensorIdentity Probe()
    {
        Span<byte> who = stackalloc byte[1];
        ReadOnlySpan<byte> register = [0x75];
        _device.WriteRead(register, who);
        if (who[0] != WhoAmI)
        {
            throw new InvalidDataException($"MPU-6050 WHO_AM_I reads 0x{who[0]:X2}, expected 0x{WhoAmI:X2}.");
        }

        // Impacts exceed 2 g by far: the power-on +-2 g range would clip them.
        _imu = new Iot.Device.Imu.Mpu6050(_device) { AccelerometerRange = AccelerometerRange.Range16G };
        return new SensorIdentity("n/a", $"whoami-0x{who[0]:X2}");
    }

    public void Read(SensorReadout readout)
    {
        var imu = _imu ?? throw new InvalidOperationException("Probe first.");
        var g = imu.GetAccelerometer().Length() / StandardGravity;
        var now = _time.GetUtcNow();
        if (_detector.Add(now, g))
        {
            _events.Raise(new FallDetectedEventArgs(_deviceId, now, Math.Round(g, 2)));
        }
    }

    public void Dispose()
    {
        if (_imu is null)
        {
            _device.Dispose();
        }
        else
        {
            _imu.Dispose();
        }
    }
}
