namespace EdgeTwin.Inference.Alarms;

/// <summary>One alarm is one condition of one device of one patient (gateway-wide alarms have patient "").</summary>
internal readonly record struct AlarmKey(string Patient, string Device, string Condition);
