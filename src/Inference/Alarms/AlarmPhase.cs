namespace EdgeTwin.Inference.Alarms;

internal enum AlarmPhase
{
    Idle,
    Raised,
    Acknowledged,
}
