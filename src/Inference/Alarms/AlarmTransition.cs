namespace EdgeTwin.Inference.Alarms;

/// <summary>The <c>state</c> of an alarm record (PROTOCOL §4); wire strings are the lowercase names.</summary>
public enum AlarmTransition
{
    Raised,
    Cleared,
    Acknowledged,
}
