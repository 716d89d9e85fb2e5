namespace EdgeTwin.Drivers.Gpio.Hx711;

using System.Device.Gpio;
using EdgeTwin.Drivers.Hardware;
using EdgeTwin.Drivers.Model;

/// <summary>
/// A patient scale: four load cells on an HX711 (10 SPS). While someone stands on it (load above
/// the minimum), each poll reports the weight; a saturated reading is a wiring fault (invalid,
/// Degraded); a chip that stops converting for 5 s is a failed device (the driver re-probes it).
/// </summary>
internal sealed class Hx711ScaleSensor : ISensor
{
    private static readonly TimeSpan Silence = TimeSpan.FromSeconds(5);

    private readonly Hx711ScaleSettings _settings;
    private readonly GpioController _gpio;
    private Hx711? _chip;
    private int _notReady;

    public Hx711ScaleSensor(GpioController gpio, Hx711ScaleSettings settings)
    {
        _gpio = gpio ?? throw new ArgumentNullException(nameof(gpio));
        _settings = settings;
        if (settings.CountsPerKilogram == 0 || !double.IsFinite(settings.CountsPerKilogram))
        {
            throw new ArgumentException("HX711 scale: CountsPerKilogram must be a non-zero calibration factor.", nameof(settings));
        }

        BusAddress = $"gpio-{settings.DataPin}/{settings.ClockPin}";
    }

    public static IReadOnlyList<SensorStream> StreamList { get; } = [new(StreamCodes.BodyWeight, 2, 350)];

    public string Model => "Avia HX711 load-cell scale";

    public string BusAddress { get; }

    public IReadOnlyList<SensorStream> Streams => StreamList;

    public TimeSpan PollInterval => TimeSpan.FromSeconds(1);

    public SensorIdentity Probe()
    {
        _chip ??= new Hx711(_gpio, _settings.DataPin, _settings.ClockPin);
        if (!_chip.TryReadRaw(out _))
        {
            throw new IOException("HX711 not ready (DOUT high): not connected, unpowered or powered down.");
        }

        _notReady = 0;
        return new SensorIdentity("n/a", "n/a");
    }

    public void Read(SensorReadout readout)
    {
        var chip = _chip ?? throw new InvalidOperationException("Probe first.");
        if (!chip.TryReadRaw(out var raw))
        {
            if (++_notReady * PollInterval >= Silence)
            {
                throw new IOException($"HX711 has not converted for {Silence.TotalSeconds} s.");
            }

            return;
        }

        _notReady = 0;
        if (raw is Hx711.Minimum or Hx711.Maximum)
        {
            readout.Degraded("HX711 reading saturated: check the load-cell wiring");
            readout.Vital(StreamCodes.BodyWeight, null);
            return;
        }

        var kilograms = Kilograms(raw, _settings);
        if (kilograms >= _settings.MinimumLoadKg)
        {
            readout.Vital(StreamCodes.BodyWeight, Math.Round(kilograms, 1));
        }
    }

    public static double Kilograms(int raw, Hx711ScaleSettings settings) => (raw - settings.TareCounts) / settings.CountsPerKilogram;

    public void Dispose()
    {
        if (_chip is null)
        {
            _gpio.Dispose();
        }
        else
        {
            _chip.Dispose();
        }
    }
}
