namespace EdgeTwin.Inference.Alarms;

/// <summary>
/// An alarm that is raised (or latched, or acknowledged but still present), for the status page,
/// the twin and the annunciator. <see cref="ConditionPresent"/> is false for a latched alarm whose
/// condition has ended but which nobody has acknowledged yet.
/// </summary>
public sealed record ActiveAlarm(
    string Patient,
    string Device,
    string Condition,
    AlarmPriority Priority,
    string Source,
    bool Acknowledged,
    bool ConditionPresent,
    DateTimeOffset RaisedAt,
    int Escalation,
    bool Technical);
