namespace EdgeTwin.Inference.Vitals;

using EdgeTwin.Drivers.Model;

/// <summary>
/// The recent vitals of one patient, fed sample by sample from the gateway pipeline. Thread-safe:
/// the pipeline writes while scoring and the model read.
/// </summary>
public sealed class PatientVitals
{
    /// <summary>Minutes of per-minute history kept for the trend features.</summary>
    public const int DefaultHistoryMinutes = 60;

    private readonly Dictionary<string, StreamState> _streams = new(StringComparer.Ordinal);
    private readonly int _historyMinutes;

    public PatientVitals(string patient, int historyMinutes = DefaultHistoryMinutes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(patient);
        ArgumentOutOfRangeException.ThrowIfLessThan(historyMinutes, 1);
        Patient = patient;
        _historyMinutes = historyMinutes;
    }

    public string Patient { get; }

    internal object Gate { get; } = new();

    /// <summary>Patient flagged for hypercapnic respiratory failure: NEWS2 uses SpO2 scale 2. Set from the twin.</summary>
    public bool Hypercapnic { get; set; }

    /// <summary>
    /// Takes one sample; returns false for streams inference does not use (waveforms, weight).
    /// An implausible value counts as an invalid sample: kept as such, never as a reading.
    /// </summary>
    public bool Observe(Sample sample)
    {
        var code = sample.Stream.Code;
        if (!VitalStreams.IsTracked(code))
        {
            return false;
        }

        double? value = sample.Value is { } v && VitalStreams.IsPlausible(code, v) ? v : null;
        lock (Gate)
        {
            if (!_streams.TryGetValue(code, out var state))
            {
                state = new StreamState(_historyMinutes);
                _streams.Add(code, state);
            }

            state.Add(sample.DeviceId, sample.Timestamp, value);
        }

        return true;
    }

    /// <summary>Caller holds <see cref="Gate"/>.</summary>
    internal StreamState? Stream(string code) => _streams.GetValueOrDefault(code);

    /// <summary>Caller holds <see cref="Gate"/>.</summary>
    internal IEnumerable<KeyValuePair<string, StreamState>> Streams => _streams;
}
