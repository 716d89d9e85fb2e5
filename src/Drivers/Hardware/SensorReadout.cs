namespace EdgeTwin.Drivers.Hardware;

using EdgeTwin.Drivers.Model;

/// <summary>
/// What one poll produced: spot values (stamped with the poll time) and waveform samples (stamped
/// on the stream's grid by the driver). A null value is an invalid sample the sensor itself flagged
/// (finger off, leads off).
/// </summary>
internal sealed class SensorReadout
{
    public List<(StreamCode Stream, double? Value)> Vitals { get; } = [];

    public List<(StreamCode Stream, double? Value)> WaveformSamples { get; } = [];

    /// <summary>Set when the sensor answers but knows its data is bad (leads off): the device is Degraded.</summary>
    public string? Fault { get; private set; }

    public void Degraded(string reason) => Fault ??= reason;

    public void Vital(StreamCode stream, double? value) => Vitals.Add((stream, value));

    public void Waveform(StreamCode stream, double? value) => WaveformSamples.Add((stream, value));

    public void Clear()
    {
        Vitals.Clear();
        WaveformSamples.Clear();
        Fault = null;
    }
}
