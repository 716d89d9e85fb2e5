namespace EdgeTwin.Drivers.I2c.Mlx90614;

using System.Buffers.Binary;
using System.Device.I2c;
using System.Globalization;
using EdgeTwin.Drivers.Hardware;
using EdgeTwin.Drivers.Model;

/// <summary>
/// Melexis MLX90614 infrared thermometer for body temperature, through <c>Iot.Device.Mlx90614</c>.
/// The sensor reads skin, so a site offset (forehead or ear, from the clinical engineer's
/// calibration) is added. An unplugged or faulty sensor reads nonsense (the error flag in bit 15,
/// or 85 C): the polled driver's plausible range (30-43 C) turns that into an invalid sample.
/// </summary>
internal sealed class Mlx90614Sensor : ISensor
{
    /// <summary>What the sensor itself can measure (ambient operating range, datasheet section 1).</summary>
    private const double AmbientMinC = -40;
    private const double AmbientMaxC = 125;

    private readonly I2cDevice _device;
    private readonly Iot.Device.Mlx90614.Mlx90614 _binding;
    private readonly double _offsetC;

    public Mlx90614Sensor(I2cDevice device, double offsetC = 0)
    {
        _device = device ?? throw new ArgumentNullException(nameof(device));
        _binding = new Iot.Device.Mlx90614.Mlx90614(device);
        _offsetC = offsetC;
        BusAddress = $"i2c-{device.ConnectionSettings.BusId}/0x{device.ConnectionSettings.DeviceAddress:X2}";
    }

    public static IReadOnlyList<SensorStream> StreamList { get; } = [new(StreamCodes.BodyTemperature, 30, 43)];

    public string Model => "Melexis MLX90614";

    public string BusAddress { get; }

    public IReadOnlyList<SensorStream> Streams => StreamList;

    public TimeSpan PollInterval => TimeSpan.FromSeconds(1);

    public SensorIdentity Probe()
    {
        Span<byte> word = stackalloc byte[2];
        var id = new System.Text.StringBuilder(16);
        for (var command = Mlx90614Command.IdNumber3; command >= Mlx90614Command.IdNumber0; command--)
        {
            ReadOnlySpan<byte> address = [(byte)command];
            _device.WriteRead(address, word);
            id.Append(BinaryPrimitives.ReadUInt16LittleEndian(word).ToString("X4", CultureInfo.InvariantCulture));
        }

        var ambient = _binding.ReadAmbientTemperature().DegreesCelsius;
        if (!(ambient >= AmbientMinC && ambient <= AmbientMaxC))
        {
            throw new InvalidDataException($"MLX90614 ambient temperature {ambient} C is outside the sensor's range; not an MLX90614 or faulty.");
        }

        return new SensorIdentity(id.ToString(), "n/a");
    }

    public void Read(SensorReadout readout)
    {
        var celsius = _binding.ReadObjectTemperature().DegreesCelsius + _offsetC;
        readout.Vital(StreamCodes.BodyTemperature, Math.Round(celsius, 2));
    }

    public void Dispose() => _binding.Dispose();
}
