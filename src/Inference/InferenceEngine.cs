namespace EdgeTwin.Inference;

using System.Collections.Concurrent;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Inference.Alarms;
using EdgeTwin.Inference.Model;
using EdgeTwin.Inference.News2;
using EdgeTwin.Inference.Vitals;

/// <summary>
/// The whole of inference behind two calls, for the gateway: <see cref="Observe"/> for every sample
/// of a bound patient, <see cref="Evaluate"/> about once a second. Keeps one
/// <see cref="PatientVitals"/> per patient, scores NEWS2 at every evaluation, runs the model every
/// <see cref="ModelOptions.PredictEvery"/>, and returns the alarm state changes in order.
/// Thread-safe.
/// </summary>
public sealed class InferenceEngine
{
    private readonly News2Scorer _scorer;
    private readonly ModelRunner _model;
    private readonly AlarmManager _alarms;
    private readonly TimeProvider _time;
    private readonly TimeSpan _predictEvery;
    private readonly ArtefactFilter _artefacts;
    private readonly ConcurrentDictionary<string, PatientEntry> _patients = new(StringComparer.Ordinal);
    private readonly HashSet<string> _hypercapnic = new(StringComparer.Ordinal);
    private readonly Lock _flags = new();
    private readonly Lock _evaluate = new();
    private bool _modelStatusApplied;

    public InferenceEngine(News2Scorer scorer, ModelRunner model, AlarmManager alarms, InferenceOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(alarms);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _scorer = scorer;
        _model = model;
        _alarms = alarms;
        _time = time;
        _predictEvery = options.Model.PredictEvery;
        _artefacts = new ArtefactFilter(options.Artefacts);
    }

    public AlarmManager Alarms => _alarms;

    public ModelStatus ModelStatus => _model.Status;

    /// <summary>
    /// A sample of <paramref name="patient"/> (the gateway resolves device to patient binding
    /// first). SpO2 motion artefacts are rejected here, for NEWS2, the model and the alarms alike.
    /// </summary>
    public IReadOnlyList<AlarmStateChange> Observe(string patient, Sample sample)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(patient);
        if (!VitalStreams.IsTracked(sample.Stream.Code))
        {
            return [];
        }

        sample = _artefacts.Filter(sample);
        var entry = Entry(patient);
        entry.Vitals.Observe(sample);
        entry.Device = sample.DeviceId;
        return _alarms.Observe(patient, sample);
    }

    /// <summary>
    /// Flags a patient for SpO2 scale 2 (hypercapnic respiratory failure), from the twin. The flag
    /// is kept apart from the vitals: a patient flagged before their first sample, or removed and
    /// observed again, is scored on scale 2, and flagging creates no patient without vitals.
    /// </summary>
    public void SetHypercapnic(string patient, bool hypercapnic)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(patient);
        lock (_flags)
        {
            if (hypercapnic)
            {
                _hypercapnic.Add(patient);
            }
            else
            {
                _hypercapnic.Remove(patient);
            }

            if (_patients.TryGetValue(patient, out var entry))
            {
                entry.Vitals.Hypercapnic = hypercapnic;
            }
        }
    }

    /// <summary>Whether <paramref name="patient"/> is scored on SpO2 scale 2.</summary>
    public bool IsHypercapnic(string patient)
    {
        lock (_flags)
        {
            return _hypercapnic.Contains(patient);
        }
    }

    /// <summary>
    /// Forgets a patient's vitals, scores and predictions (discharged, unbound), so stale vitals no
    /// longer score; their alarms stay until cleared or acknowledged, the hypercapnic flag stays
    /// until the twin clears it.
    /// </summary>
    public bool Remove(string patient) => _patients.TryRemove(patient, out _);

    /// <summary>NEWS2 for every patient, the model where due, then time-driven alarm changes.</summary>
    public IReadOnlyList<AlarmStateChange> Evaluate()
    {
        lock (_evaluate)
        {
            var changes = new List<AlarmStateChange>();
            if (!_modelStatusApplied)
            {
                changes.AddRange(_alarms.SetModelStatus(_model.Status));
                _modelStatusApplied = true;
            }

            var now = _time.GetUtcNow();
            foreach (var (patient, entry) in _patients.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                var device = entry.Device;
                entry.News2 = _scorer.Score(entry.Vitals);
                changes.AddRange(_alarms.Apply(entry.News2, device));
                if (_model.IsAvailable && (entry.LastPrediction is null || now - entry.LastPrediction >= _predictEvery))
                {
                    entry.LastPrediction = now;
                    entry.Prediction = _model.Predict(entry.Vitals, now, out var problem);
                    entry.PredictionProblem = problem;
                    changes.AddRange(_alarms.Apply(patient, device, _model.ModelId, entry.Prediction));
                }
            }

            changes.AddRange(_alarms.Tick());
            return changes;
        }
    }

    /// <summary>The latest NEWS2 and prediction of every known patient, for the twin and the status page.</summary>
    public IReadOnlyList<PatientSummary> Summaries() =>
        [.. _patients.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new PatientSummary(p.Key, p.Value.Device, p.Value.News2, p.Value.Prediction, p.Value.PredictionProblem))];

    private PatientEntry Entry(string patient)
    {
        if (_patients.TryGetValue(patient, out var entry))
        {
            return entry;
        }

        // Under the flag lock, so a flag set while the entry is being created is not lost.
        lock (_flags)
        {
            return _patients.GetOrAdd(patient, p => new PatientEntry(new PatientVitals(p) { Hypercapnic = _hypercapnic.Contains(p) }));
        }
    }

    private sealed class PatientEntry(PatientVitals vitals)
    {
        public PatientVitals Vitals { get; } = vitals;

        public string Device { get; set; } = "";

        public News2Result? News2 { get; set; }

        public ModelPrediction? Prediction { get; set; }

        public string? PredictionProblem { get; set; }

        public DateTimeOffset? LastPrediction { get; set; }
    }
}
