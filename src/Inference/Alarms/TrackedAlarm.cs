namespace EdgeTwin.Inference.Alarms;

/// <summary>
/// The state machine of one alarm. The condition itself (met / not met, with value hysteresis
/// applied by the caller) is kept apart from the alarm phase, so onset and clear delays, latching,
/// escalation and acknowledgement are decided in one place, by time.
/// </summary>
internal sealed class TrackedAlarm(AlarmKey key, ConditionSpec spec, string device)
{
    public AlarmKey Key { get; } = key;

    /// <summary>Device named in the records; for patient-level conditions, the device of the latest evidence.</summary>
    public string Device { get; set; } = device;

    public ConditionSpec Spec { get; set; } = spec;

    public bool Met { get; private set; }

    public AlarmPhase Phase { get; private set; }

    public AlarmPriority Priority { get; private set; } = spec.Priority;

    public int Escalation { get; private set; }

    public DateTimeOffset RaisedAt { get; private set; }

    public double? Value { get; private set; }

    public string Text { get; private set; } = "";

    private DateTimeOffset? _metSince;
    private DateTimeOffset? _unmetSince;
    private DateTimeOffset _lastEscalationAt;

    /// <summary>A latched alarm: raised, unacknowledged, and its condition has ended.</summary>
    public bool Latched(DateTimeOffset now) => Phase == AlarmPhase.Raised && ConditionEnded(now);

    /// <summary>New evidence; null means "cannot tell" (stale or invalid data) and changes no timer.</summary>
    public void Observe(bool? met, double? value, string text, DateTimeOffset now)
    {
        if (met is not { } isMet)
        {
            return;
        }

        if (isMet)
        {
            if (!Met)
            {
                _metSince = now;
            }

            _unmetSince = null;
            Value = value;
            Text = text;
        }
        else
        {
            if (Met || _unmetSince is null)
            {
                _unmetSince = now;
            }

            _metSince = null;
        }

        Met = isMet;
    }

    public void Advance(DateTimeOffset now, AlarmOptions options, List<AlarmStateChange> changes)
    {
        switch (Phase)
        {
            case AlarmPhase.Idle when Met && now - _metSince >= Spec.Onset:
                Phase = AlarmPhase.Raised;
                Priority = Spec.Priority;
                Escalation = 0;
                RaisedAt = now;
                _lastEscalationAt = now;
                changes.Add(Change(AlarmTransition.Raised, Text, now));
                break;
            case AlarmPhase.Raised when ConditionEnded(now) && !Latching(options):
                Phase = AlarmPhase.Idle;
                changes.Add(Change(AlarmTransition.Cleared, Text, now));
                break;
            case AlarmPhase.Raised when Escalation < options.MaxEscalations && now - _lastEscalationAt >= options.EscalateAfter:
                // Nobody has answered: one step louder, and tell the ward again.
                Escalation++;
                Priority = Priority == AlarmPriority.High ? AlarmPriority.High : Priority + 1;
                _lastEscalationAt = now;
                changes.Add(Change(AlarmTransition.Raised, $"escalated ({Escalation}): {Text}", now));
                break;
            case AlarmPhase.Acknowledged when ConditionEnded(now):
                Phase = AlarmPhase.Idle;
                changes.Add(Change(AlarmTransition.Cleared, Text, now));
                break;
            default:
                break;
        }
    }

    /// <summary>Nurse acknowledges: silences the alarm; a latched alarm whose condition has ended is reset.</summary>
    public void Acknowledge(DateTimeOffset now, List<AlarmStateChange> changes)
    {
        if (Phase != AlarmPhase.Raised)
        {
            return;
        }

        changes.Add(Change(AlarmTransition.Acknowledged, Text, now));
        if (ConditionEnded(now))
        {
            Phase = AlarmPhase.Idle;
            changes.Add(Change(AlarmTransition.Cleared, Text, now));
        }
        else
        {
            Phase = AlarmPhase.Acknowledged;
        }
    }

    /// <summary>Ends the alarm whatever its state (the patient left the bed): cleared, saying why.</summary>
    public void End(string reason, DateTimeOffset now, List<AlarmStateChange> changes)
    {
        if (Phase == AlarmPhase.Idle)
        {
            return;
        }

        Phase = AlarmPhase.Idle;
        changes.Add(Change(AlarmTransition.Cleared, $"{reason}: {Text}", now));
    }

    public ActiveAlarm? Snapshot(DateTimeOffset now) => Phase == AlarmPhase.Idle
        ? null
        : new ActiveAlarm(Key.Patient, Device, Key.Condition, Priority, Spec.Source, Phase == AlarmPhase.Acknowledged, !ConditionEnded(now), RaisedAt, Escalation, Spec.Technical);

    // Technical alarms never latch: an uplink that is back needs no nurse to confirm it.
    private bool Latching(AlarmOptions options) => options.LatchHighPriority && Priority == AlarmPriority.High && !Spec.Technical;

    private bool ConditionEnded(DateTimeOffset now) => !Met && _unmetSince is { } since && now - since >= Spec.Clear;

    private AlarmStateChange Change(AlarmTransition state, string text, DateTimeOffset now) =>
        new(Key.Patient, Device, Priority, Key.Condition, state, Spec.Source, Value, text, now)
        {
            Escalation = Escalation,
            Technical = Spec.Technical,
        };
}
