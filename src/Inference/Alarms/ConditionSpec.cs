namespace EdgeTwin.Inference.Alarms;

/// <summary>How one condition is raised and cleared.</summary>
internal sealed record ConditionSpec(AlarmPriority Priority, string Source, TimeSpan Onset, TimeSpan Clear, bool Technical);
