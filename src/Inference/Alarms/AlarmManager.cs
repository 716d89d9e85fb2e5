namespace EdgeTwin.Inference.Alarms;

using System.Globalization;
using EdgeTwin.Drivers.Gpio.Annunciation;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Inference.Model;
using EdgeTwin.Inference.News2;
using EdgeTwin.Inference.Vitals;

/// <summary>
/// Turns evidence (samples, NEWS2 scores, model risk, device, uplink and model health) into alarm
/// state changes. Pure: no I/O, time from the injected <see cref="TimeProvider"/>. Every call
/// returns the changes it caused, in order; <see cref="Tick"/> returns those that time alone causes
/// (onset and clear delays, escalation, uplink timeout) and should run about once a second.
/// Evidence that cannot tell (an invalid sample, an incomplete NEWS2 below a band, no prediction)
/// neither raises nor clears: a probe falling off does not silence a desaturation alarm.
/// A threshold rule on a heart or pulse rate, or on a respiration rate, watches the quantity, not one
/// stream: it reads the source NEWS2 would (<see cref="VitalStreams.PulseSources"/>,
/// <see cref="VitalStreams.RespirationSources"/>, <see cref="News2Options.SourceFreshness"/>), is one
/// alarm per patient whichever source or device it reads, and its text names the source.
/// </summary>
public sealed class AlarmManager
{
    private static readonly IReadOnlyList<AlarmStateChange> None = [];

    private readonly AlarmOptions _options;
    private readonly News2Options _sources;
    private readonly TimeProvider _time;
    private readonly Dictionary<AlarmKey, TrackedAlarm> _alarms = [];
    private readonly Lock _gate = new();
    private ThresholdRule[] _rules;
    private Dictionary<string, ThresholdRule[]> _rulesByStream;

    // Per patient and source stream: when its latest sample arrived, if that sample was valid; null if invalid.
    private readonly Dictionary<(string Patient, string Code), DateTimeOffset?> _sourceValidAt = [];

    /// <param name="options">Alarm behaviour and threshold rules.</param>
    /// <param name="time">The clock.</param>
    /// <param name="sources">
    /// The source freshness and the pulse and respiration maximum ages (<see cref="News2Options"/>,
    /// the same as NEWS2's); the defaults when null.
    /// </param>
    public AlarmManager(AlarmOptions options, TimeProvider time, News2Options? sources = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ThresholdRule[] rules = [.. options.EffectiveThresholds().Select(r => r.Clone())];
        if (Check(rules) is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        _options = options;
        _sources = sources ?? new News2Options();
        _time = time;
        _rules = rules;
        _rulesByStream = ByStream(rules);
    }

    /// <summary>Copies of the threshold rules in force, in their configured order.</summary>
    public IReadOnlyList<ThresholdRule> Thresholds
    {
        get
        {
            lock (_gate)
            {
                return [.. _rules.Select(r => r.Clone())];
            }
        }
    }

    /// <summary>
    /// Puts new threshold rules in force at once (the twin's desired limits). Limits, hysteresis,
    /// priority and text may change; the set of conditions and each condition's stream may not,
    /// because an alarm whose rule vanished would get no more evidence and could never clear.
    /// Alarms keep their state: one whose condition the new limit no longer meets clears through
    /// the clear delay at the stream's next sample. Bad rules throw and change nothing.
    /// </summary>
    public void SetThresholds(IEnumerable<ThresholdRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ThresholdRule[] next = [.. rules.Select(r => r.Clone())];
        if (Check(next) is { } invalid)
        {
            throw new ArgumentException(invalid, nameof(rules));
        }

        lock (_gate)
        {
            if (ChangedConditions(_rules, next) is { } problem)
            {
                throw new ArgumentException(problem, nameof(rules));
            }

            _rules = next;
            _rulesByStream = ByStream(next);
        }
    }

    /// <summary>
    /// A vital sample of <paramref name="patient"/>: threshold rules and the sensor-off alarm of its
    /// stream. A sample of a pulse or respiration source counts for the rules only while its stream
    /// is the one chosen (the fresh ECG heart rate over the oximeter's pulse rate ...); freshness is
    /// measured by arrival on this clock, so a device whose own clock is off is not taken for silent.
    /// </summary>
    public IReadOnlyList<AlarmStateChange> Observe(string patient, Sample sample)
    {
        ArgumentNullException.ThrowIfNull(patient);
        var code = sample.Stream.Code;
        if (!VitalStreams.IsTracked(code))
        {
            return None;
        }

        double? value = sample.Value is { } v && VitalStreams.IsPlausible(code, v) ? v : null;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var changes = new List<AlarmStateChange>();
            var sensorOff = new ConditionSpec(_options.SensorOffPriority, AlarmConditions.SourceRule, _options.SensorOffAfter, TimeSpan.Zero, Technical: true);
            Evaluate(new AlarmKey(patient, sample.DeviceId, AlarmConditions.SensorOffPrefix + code), sample.DeviceId, sensorOff, value is null, null, $"{sample.Stream.Display} sensor off or invalid", now, changes);
            var group = SourceSelection.GroupOf(code);
            var chosen = group is null || ChosenSource(patient, code, group, value is not null, now) == code;
            if (_rulesByStream.TryGetValue(code, out var rules))
            {
                foreach (var rule in rules)
                {
                    // A rule on a quantity with several sources is one alarm per patient, whichever device reads it.
                    var key = new AlarmKey(patient, group is null ? sample.DeviceId : "", rule.Condition);
                    var wasMet = _alarms.TryGetValue(key, out var existing) && existing.Met;
                    bool? met = value is { } x && chosen ? rule.IsMet(x, wasMet) : null;
                    var spec = new ConditionSpec(rule.Priority, AlarmConditions.SourceRule, _options.OnsetDelay, _options.ClearDelay, Technical: false);
                    var text = $"{rule.Text}: {Format(value)} {sample.Stream.Unit}" + (group is null ? "" : $", read from {sample.Stream.Display} {code}");
                    Evaluate(key, sample.DeviceId, spec, met, value, text, now, changes);
                }
            }

            return changes;
        }
    }

    /// <summary>
    /// A NEWS2 score. Exactly one band condition is met (high, medium or low-medium). An incomplete
    /// score is a lower bound: it may raise its band, and rule out lower bands, but says nothing
    /// about higher ones.
    /// </summary>
    public IReadOnlyList<AlarmStateChange> Apply(News2Result score, string device)
    {
        ArgumentNullException.ThrowIfNull(score);
        ArgumentNullException.ThrowIfNull(device);
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var changes = new List<AlarmStateChange>();
            var text = $"NEWS2 {score.Aggregate} ({News2Wire.Band(score.Band)})" +
                (score.Complete ? "" : $", incomplete: {string.Join(", ", score.Missing.Select(m => $"{m.Parameter} {m.Reason}".ToLowerInvariant()))}");
            foreach (var (condition, band, priority) in News2Conditions)
            {
                bool? met = band == score.Band ? true : band < score.Band || score.Complete ? false : null;
                var spec = new ConditionSpec(priority, AlarmConditions.SourceNews2, _options.OnsetDelay, _options.ClearDelay, Technical: false);
                Evaluate(new AlarmKey(score.Patient, "", condition), device, spec, met, score.Aggregate, text, now, changes);
            }

            return changes;
        }
    }

    /// <summary>A model prediction for <paramref name="patient"/>; null (too little data) changes nothing.</summary>
    public IReadOnlyList<AlarmStateChange> Apply(string patient, string device, string modelId, ModelPrediction? prediction)
    {
        ArgumentNullException.ThrowIfNull(patient);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var changes = new List<AlarmStateChange>();
            var key = new AlarmKey(patient, "", AlarmConditions.ModelDeterioration);
            var wasMet = _alarms.TryGetValue(key, out var existing) && existing.Met;
            var limit = _options.ModelRiskThreshold - (wasMet ? _options.ModelRiskHysteresis : 0);
            bool? met = prediction is null ? null : prediction.Risk >= limit;
            var spec = new ConditionSpec(_options.ModelPriority, "model:" + modelId, _options.OnsetDelay, _options.ClearDelay, Technical: false);
            var risk = prediction?.Risk is { } r ? Math.Round(r, 3) : (double?)null;
            Evaluate(key, device, spec, met, risk, $"Deterioration risk {Format(risk)}", now, changes);
            return changes;
        }
    }

    /// <summary>Device health from its driver; <see cref="DeviceHealth.Lost"/> raises device-lost at once.</summary>
    public IReadOnlyList<AlarmStateChange> SetDeviceHealth(string patient, string device, DeviceHealth health)
    {
        ArgumentNullException.ThrowIfNull(patient);
        ArgumentNullException.ThrowIfNull(device);
        var spec = new ConditionSpec(_options.DeviceLostPriority, AlarmConditions.SourceRule, TimeSpan.Zero, TimeSpan.Zero, Technical: true);
        return EvaluateOne(new AlarmKey(patient, device, AlarmConditions.DeviceLost), spec, health == DeviceHealth.Lost, null, $"Device {device} lost");
    }

    /// <summary>Uplink state; down for longer than <see cref="AlarmOptions.UplinkDownAfter"/> raises uplink-down.</summary>
    public IReadOnlyList<AlarmStateChange> SetUplinkConnected(bool connected)
    {
        var spec = new ConditionSpec(_options.UplinkDownPriority, AlarmConditions.SourceRule, _options.UplinkDownAfter, TimeSpan.Zero, Technical: true);
        return EvaluateOne(new AlarmKey("", _options.GatewayDevice, AlarmConditions.UplinkDown), spec, !connected, null, "Uplink down: alarms are not reaching the central station");
    }

    /// <summary>Storage state; a full disk (nothing can be recorded) raises storage-full at once and clears when records are kept again.</summary>
    public IReadOnlyList<AlarmStateChange> SetStorageFull(bool full)
    {
        var spec = new ConditionSpec(_options.StorageFullPriority, AlarmConditions.SourceRule, TimeSpan.Zero, TimeSpan.Zero, Technical: true);
        return EvaluateOne(new AlarmKey("", _options.GatewayDevice, AlarmConditions.StorageFull), spec, full, null, "Storage full: alarms sound locally but are not recorded");
    }

    /// <summary>Model health; unavailable (not disabled on purpose) raises model-unavailable with the reason.</summary>
    public IReadOnlyList<AlarmStateChange> SetModelStatus(ModelStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var spec = new ConditionSpec(_options.ModelUnavailablePriority, "model:" + status.ModelId, TimeSpan.Zero, TimeSpan.Zero, Technical: true);
        return EvaluateOne(new AlarmKey("", _options.GatewayDevice, AlarmConditions.ModelUnavailable), spec, !status.Available && !status.Disabled, null, $"Model {status.ModelId} unavailable, rules only: {status.Reason}");
    }

    /// <summary>
    /// Acknowledges the raised alarms of <paramref name="patient"/> (all, or one condition): the
    /// nurse-call button or a local command. A latched alarm whose condition has ended clears.
    /// </summary>
    public IReadOnlyList<AlarmStateChange> Acknowledge(string patient, string? condition = null)
    {
        ArgumentNullException.ThrowIfNull(patient);
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var changes = new List<AlarmStateChange>();
            foreach (var alarm in _alarms.Values.Where(a => a.Key.Patient == patient && (condition is null || a.Key.Condition == condition)).OrderByDescending(a => a.Priority).ThenBy(a => a.RaisedAt))
            {
                alarm.Acknowledge(now, changes);
            }

            return changes;
        }
    }

    /// <summary>
    /// The patient's stay ended (discharged): no sample of theirs will come to clear their alarms, so
    /// each open one (raised, latched or acknowledged) is cleared now, the text saying
    /// <paramref name="reason"/>, and their alarm state is forgotten.
    /// </summary>
    public IReadOnlyList<AlarmStateChange> EndPatient(string patient, string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(patient);
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var changes = new List<AlarmStateChange>();
            var theirs = _alarms.Values.Where(a => a.Key.Patient == patient).OrderByDescending(a => a.Priority).ThenBy(a => a.RaisedAt).ToList();
            foreach (var alarm in theirs)
            {
                alarm.End(reason, now, changes);
                _alarms.Remove(alarm.Key);
            }

            foreach (var source in _sourceValidAt.Keys.Where(k => k.Patient == patient).ToList())
            {
                _sourceValidAt.Remove(source);
            }

            return changes;
        }
    }

    /// <summary>Changes that time alone causes: onset and clear delays, escalations, uplink timeout.</summary>
    public IReadOnlyList<AlarmStateChange> Tick()
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var changes = new List<AlarmStateChange>();
            foreach (var alarm in _alarms.Values)
            {
                alarm.Advance(now, _options, changes);
            }

            return changes;
        }
    }

    /// <summary>Raised, latched and acknowledged alarms, highest priority first.</summary>
    public IReadOnlyList<ActiveAlarm> Active()
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            return [.. _alarms.Values.Select(a => a.Snapshot(now)).OfType<ActiveAlarm>().OrderByDescending(a => a.Priority).ThenBy(a => a.RaisedAt)];
        }
    }

    /// <summary>What the annunciator should sound: the highest priority among unacknowledged alarms, or null for silence.</summary>
    public AlarmPriority? HighestUnacknowledged()
    {
        var active = Active().Where(a => !a.Acknowledged).ToList();
        return active.Count == 0 ? null : active.Max(a => a.Priority);
    }

    /// <summary>
    /// What the bedside lights and buzzer show (Drivers <see cref="IAnnunciator"/>): the highest
    /// unacknowledged priority; only acknowledged alarms left shows <see cref="AnnunciationLevel.Low"/>
    /// (steady light, no sound) so the bed still says something is open; nothing active is silence.
    /// </summary>
    public AnnunciationLevel Annunciation()
    {
        var active = Active();
        if (active.Count == 0)
        {
            return AnnunciationLevel.None;
        }

        var unacknowledged = active.Where(a => !a.Acknowledged).Select(a => (AlarmPriority?)a.Priority).Max();
        return unacknowledged switch
        {
            AlarmPriority.High => AnnunciationLevel.High,
            AlarmPriority.Medium => AnnunciationLevel.Medium,
            _ => AnnunciationLevel.Low,
        };
    }

    private static readonly (string Condition, News2RiskBand Band, AlarmPriority Priority)[] News2Conditions =
    [
        (AlarmConditions.News2High, News2RiskBand.High, AlarmPriority.High),
        (AlarmConditions.News2Medium, News2RiskBand.Medium, AlarmPriority.Medium),
        (AlarmConditions.News2LowMedium, News2RiskBand.LowMedium, AlarmPriority.Low),
    ];

    /// <summary>Records the sample of source <paramref name="code"/> and returns the source of its group now chosen (caller holds the gate).</summary>
    private string? ChosenSource(string patient, string code, IReadOnlyList<string> group, bool valid, DateTimeOffset now)
    {
        _sourceValidAt[(patient, code)] = valid ? now : null;
        var maxAge = ReferenceEquals(group, VitalStreams.PulseSources) ? _sources.PulseMaxAge : _sources.RespirationRateMaxAge;
        return SourceSelection.Best(group, c => _sourceValidAt.GetValueOrDefault((patient, c)), now, _sources.SourceFreshness, maxAge);
    }

    private IReadOnlyList<AlarmStateChange> EvaluateOne(AlarmKey key, ConditionSpec spec, bool met, double? value, string text)
    {
        lock (_gate)
        {
            var changes = new List<AlarmStateChange>();
            Evaluate(key, key.Device, spec, met, value, text, _time.GetUtcNow(), changes);
            return changes;
        }
    }

    private void Evaluate(AlarmKey key, string device, ConditionSpec spec, bool? met, double? value, string text, DateTimeOffset now, List<AlarmStateChange> changes)
    {
        if (!_alarms.TryGetValue(key, out var alarm))
        {
            // Unknown or absent conditions are not worth a slot: most streams never alarm.
            if (met != true)
            {
                return;
            }

            alarm = new TrackedAlarm(key, spec, device);
            _alarms.Add(key, alarm);
        }

        alarm.Spec = spec;
        if (met == true)
        {
            alarm.Device = device;
        }

        alarm.Observe(met, value, text, now);
        alarm.Advance(now, _options, changes);
    }

    private static string? Check(IReadOnlyList<ThresholdRule> rules) =>
        rules.Select(r => r.Problem()).FirstOrDefault(p => p is not null)
        ?? rules.GroupBy(r => r.Condition, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => $"threshold condition {g.Key} is defined twice").FirstOrDefault();

    private static string? ChangedConditions(ThresholdRule[] current, ThresholdRule[] next)
    {
        var streams = current.ToDictionary(r => r.Condition, r => r.Stream, StringComparer.Ordinal);
        var conditions = next.Select(r => r.Condition).ToHashSet(StringComparer.Ordinal);
        return next.Where(r => !streams.ContainsKey(r.Condition)).Select(r => $"threshold condition {r.Condition} is new; only existing rules may change live").FirstOrDefault()
            ?? streams.Keys.Where(c => !conditions.Contains(c)).Select(c => $"threshold condition {c} is missing; only existing rules may change live").FirstOrDefault()
            ?? next.Where(r => !string.Equals(streams[r.Condition], r.Stream, StringComparison.Ordinal)).Select(r => $"threshold condition {r.Condition} moves from stream {streams[r.Condition]} to {r.Stream}").FirstOrDefault();
    }

    // A rule on one source of a quantity with several (hr-high on the ECG heart rate) hears every source of it.
    private static Dictionary<string, ThresholdRule[]> ByStream(IEnumerable<ThresholdRule> rules) =>
        rules.SelectMany(r => (SourceSelection.GroupOf(r.Stream) ?? [r.Stream]).Select(code => (Code: code, Rule: r)))
            .GroupBy(x => x.Code, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(x => x.Rule).ToArray(), StringComparer.Ordinal);

    private static string Format(double? value) => value is { } v ? v.ToString("0.###", CultureInfo.InvariantCulture) : "n/a";
}
