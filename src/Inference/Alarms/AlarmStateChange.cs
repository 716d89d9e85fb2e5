namespace EdgeTwin.Inference.Alarms;

/// <summary>
/// One alarm state change, shaped like the ETP/1 alarm body (PROTOCOL §4): the gateway appends it
/// to the alarm lane and drives the annunciator from it. <see cref="Escalation"/> counts how often
/// an unacknowledged alarm was escalated (a re-raise at a higher priority); <see cref="Technical"/>
/// marks alarms about the equipment rather than the patient.
/// </summary>
public sealed record AlarmStateChange(
    string Patient,
    string Device,
    AlarmPriority Priority,
    string Condition,
    AlarmTransition State,
    string Source,
    double? Value,
    string Text,
    DateTimeOffset At)
{
    public int Escalation { get; init; }

    public bool Technical { get; init; }

    /// <summary><c>high</c>, <c>medium</c> or <c>low</c>.</summary>
    public string PriorityWire => Priority switch
    {
        AlarmPriority.High => "high",
        AlarmPriority.Medium => "medium",
        _ => "low",
    };

    /// <summary><c>raised</c>, <c>cleared</c> or <c>acknowledged</c>.</summary>
    public string StateWire => State switch
    {
        AlarmTransition.Raised => "raised",
        AlarmTransition.Cleared => "cleared",
        _ => "acknowledged",
    };
}
