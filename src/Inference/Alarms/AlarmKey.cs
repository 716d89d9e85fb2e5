namespace EdgeTwin.Inference.Alarms;

/// <summary>
/// One alarm is one condition of one device of one patient (gateway-wide alarms have patient "");
/// patient-level conditions (NEWS2, model) have device "" so a patient on two devices has one alarm.
/// </summary>
internal readonly record struct AlarmKey(string Patient, string Device, string Condition);
