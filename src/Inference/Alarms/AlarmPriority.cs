namespace EdgeTwin.Inference.Alarms;

/// <summary>IEC 60601-1-8 alarm priorities, ordered; wire strings are the lowercase names.</summary>
public enum AlarmPriority
{
    Low,
    Medium,
    High,
}
