namespace EdgeTwin.Drivers.I2c.Max30102;

using System.Device.I2c;
using System.Globalization;
using EdgeTwin.Drivers.Hardware;
using EdgeTwin.Drivers.Model;

/// <summary>
/// MAX30102 finger sensor as a device: pleth (normalised IR pulsation) at the FIFO rate, SpO2 and
/// pulse rate once a second. Samples the chip dropped on FIFO overflow come out as invalid samples
/// in their place, so the waveform's timing stays true and the loss is visible.
/// </summary>
internal sealed class Max30102Sensor : ISensor
{
    private readonly Max30102 _chip;
    private readonly Max30102Settings _settings;
    private readonly PulseOximetryEstimator _estimator;
    private readonly StreamCode _pleth;
    private readonly int _samplesPerVital;
    private readonly PpgSample[] _buffer = new PpgSample[Max30102.FifoDepth];
    private double _irBaseline;
    private long _samples;

    public Max30102Sensor(I2cDevice device, Max30102Settings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        _settings = settings ?? new Max30102Settings();
        _settings.Validate();
        BusAddress = $"i2c-{device.ConnectionSettings.BusId}/0x{device.ConnectionSettings.DeviceAddress:X2}";
        _chip = new Max30102(device);
        _estimator = new PulseOximetryEstimator(_settings.OutputRateHz);
        _pleth = PlethStream(_settings);
        _samplesPerVital = (int)Math.Round(_settings.OutputRateHz);
        Streams = DescribeStreams(_settings);
    }

    public string Model => "Maxim MAX30102";

    public string BusAddress { get; }

    public IReadOnlyList<SensorStream> Streams { get; }

    /// <summary>Well inside the 32-entry FIFO at 100 Hz (320 ms).</summary>
    public TimeSpan PollInterval => TimeSpan.FromMilliseconds(100);

    public static IReadOnlyList<SensorStream> DescribeStreams(Max30102Settings settings) =>
    [
        new(PlethStream(settings), -1, 1),
        new(StreamCodes.SpO2, 50, 100),
        new(StreamCodes.PulseRateOximetry, 25, 250),
    ];

    /// <summary>The pleth as this driver gives it: the normalised infrared ratio to 5 decimals.</summary>
    private static StreamCode PlethStream(Max30102Settings settings) =>
        StreamCodes.Pleth.AtRate(settings.OutputRateHz).AtResolution("0.00001");

    public SensorIdentity Probe()
    {
        var part = _chip.ReadPartId();
        if (part != Max30102.ExpectedPartId)
        {
            throw new InvalidDataException($"Expected MAX30102 part id 0x{Max30102.ExpectedPartId:X2}, read 0x{part:X2}.");
        }

        _chip.Reset();
        _chip.Configure(_settings);
        var revision = _chip.ReadRevisionId();
        return new SensorIdentity($"part-0x{part:X2}", "rev-0x" + revision.ToString("X2", CultureInfo.InvariantCulture));
    }

    public void Read(SensorReadout readout)
    {
        var count = _chip.ReadFifo(_buffer, out var lost);
        for (var i = 0; i < lost; i++)
        {
            readout.Waveform(_pleth, null);
            Tick(readout);
        }

        for (var i = 0; i < count; i++)
        {
            var sample = _buffer[i];
            _estimator.Add(sample);
            _irBaseline = _irBaseline == 0 ? sample.Infrared : _irBaseline + ((sample.Infrared - _irBaseline) / _samplesPerVital);
            readout.Waveform(_pleth, _estimator.FingerPresent ? Math.Round((_irBaseline - sample.Infrared) / _irBaseline, 5) : null);
            Tick(readout);
        }
    }

    public void Dispose() => _chip.Dispose();

    /// <summary>Once a second of samples: the spot values (invalid without a finger or a pulse).</summary>
    private void Tick(SensorReadout readout)
    {
        if (++_samples % _samplesPerVital != 0)
        {
            return;
        }

        var (spo2, rate) = _estimator.Estimate();
        readout.Vital(StreamCodes.SpO2, spo2);
        readout.Vital(StreamCodes.PulseRateOximetry, rate);
    }
}
