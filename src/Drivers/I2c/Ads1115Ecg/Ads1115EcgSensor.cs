namespace EdgeTwin.Drivers.I2c.Ads1115Ecg;

using System.Device.Gpio;
using System.Device.I2c;
using EdgeTwin.Drivers.Hardware;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Drivers.Signal;
using Iot.Device.Ads1115;

/// <summary>
/// A single-lead ECG from an Analog Devices AD8232 front end digitised by a TI ADS1115 (through
/// <c>Iot.Device.Ads1115</c>), with the AD8232's lead-off outputs LO+ and LO- on GPIO inputs. The
/// ADS1115 converts continuously at 860 SPS; the driver takes the latest conversion on each poll,
/// and a QRS detector gives the heart rate once a second. Leads off: invalid samples, Degraded.
/// </summary>
internal sealed class Ads1115EcgSensor : ISensor
{
    /// <summary>ADS1115 full scale at PGA +-4.096 V: 125 uV per count (datasheet Table 3).</summary>
    public const double VoltsPerCount = 4.096 / 32768;

    private readonly I2cDevice _device;
    private readonly GpioController _gpio;
    private readonly Ads1115EcgSettings _settings;
    private readonly StreamCode _ecg;
    private readonly int _samplesPerSecond;
    private readonly QrsDetector _detector;
    private readonly HeartRateTracker _rate = new();
    private readonly List<long> _beats = [];
    private Ads1115? _adc;
    private long _samples;

    public Ads1115EcgSensor(I2cDevice device, GpioController gpio, Ads1115EcgSettings settings)
    {
        _device = device ?? throw new ArgumentNullException(nameof(device));
        _gpio = gpio ?? throw new ArgumentNullException(nameof(gpio));
        _settings = settings;
        _ecg = EcgStream(settings);
        _samplesPerSecond = (int)Math.Round(settings.RateHz);
        _detector = new QrsDetector(settings.RateHz);
        BusAddress = $"i2c-{device.ConnectionSettings.BusId}/0x{device.ConnectionSettings.DeviceAddress:X2}";
        Streams = DescribeStreams(settings);
    }

    public string Model => "TI ADS1115 + AD8232";

    public string BusAddress { get; }

    public IReadOnlyList<SensorStream> Streams { get; }

    public TimeSpan PollInterval => TimeSpan.FromSeconds(1 / _settings.RateHz);

    public static IReadOnlyList<SensorStream> DescribeStreams(Ads1115EcgSettings settings) =>
    [
        new(EcgStream(settings), -5, 5),
        new(StreamCodes.HeartRate, 20, 300),
    ];

    /// <summary>The ECG as this driver gives it: electrode millivolts to 4 decimals (finer than the 1.25 µV step at gain 100).</summary>
    private static StreamCode EcgStream(Ads1115EcgSettings settings) =>
        StreamCodes.EcgLeadII.AtRate(settings.RateHz).AtResolution("0.0001");

    /// <summary>Electrode millivolts from a conversion: remove the AD8232 reference, divide by its gain.</summary>
    public static double Millivolts(short raw, Ads1115EcgSettings settings) =>
        ((raw * VoltsPerCount) - settings.ReferenceVolts) * 1000 / settings.FrontEndGain;

    public SensorIdentity Probe()
    {
        _gpio.OpenPin(_settings.LeadOffPlusPin, PinMode.Input);
        _gpio.OpenPin(_settings.LeadOffMinusPin, PinMode.Input);
        _adc?.Dispose();
        _adc = new Ads1115(_device, InputMultiplexer.AIN0, MeasuringRange.FS4096, DataRate.SPS860, DeviceMode.Continuous);

        // The config register reads back what was written (OS aside): a chip answering garbage does not.
        Span<byte> config = stackalloc byte[2];
        ReadOnlySpan<byte> pointer = [0x01];
        _device.WriteRead(pointer, config);
        var value = (config[0] << 8) | config[1];
        if ((value & 0x7FFF) != 0x42E3)
        {
            throw new InvalidDataException($"ADS1115 config register reads 0x{value:X4}, expected 0x42E3 (AIN0, +-4.096 V, continuous, 860 SPS).");
        }

        return new SensorIdentity("n/a", "n/a");
    }

    public void Read(SensorReadout readout)
    {
        var adc = _adc ?? throw new InvalidOperationException("Probe first.");
        var leadsOff = _gpio.Read(_settings.LeadOffPlusPin) == PinValue.High || _gpio.Read(_settings.LeadOffMinusPin) == PinValue.High;
        double? value = null;
        if (leadsOff)
        {
            readout.Degraded("ECG leads off");
        }
        else
        {
            value = Math.Round(Millivolts(adc.ReadRaw(), _settings), 4);
        }

        readout.Waveform(_ecg, value);
        _beats.Clear();
        _detector.Add(value ?? 0, _beats);
        foreach (var beat in _beats)
        {
            _rate.AddBeat(beat / _settings.RateHz);
        }

        if (++_samples % _samplesPerSecond == 0)
        {
            readout.Vital(StreamCodes.HeartRate, leadsOff ? null : _rate.RateAt(_samples / _settings.RateHz) is { } bpm ? Math.Round(bpm) : null);
        }
    }

    public void Dispose()
    {
        if (_adc is null)
        {
            _device.Dispose();
        }
        else
        {
            _adc.Dispose();
        }

        _gpio.Dispose();
    }
}
