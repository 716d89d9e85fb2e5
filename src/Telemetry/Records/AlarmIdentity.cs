namespace EdgeTwin.Telemetry.Records;

/// <summary>
/// How one alarm of a box is named across its changes, by the box and by the ingest's alarm reporter
/// alike (docs/alarms-out.md, "One alarm, one identity"): the box keys an alarm by patient, device and
/// condition (NEWS2 and model alarms by patient and condition: their records name the device of the
/// latest evidence, which may change); the first alarm-lane record of a key with no open alarm opens
/// it, the alert id is that record's control id, and the clear closes it.
/// </summary>
public static class AlarmIdentity
{
    /// <summary><c>patient|device|condition</c>, or <c>patient||condition</c> for NEWS2 and model alarms.</summary>
    public static string Key(string patient, string device, string condition, string source) =>
        source == "news2" || source.StartsWith("model:", StringComparison.Ordinal) ? $"{patient}||{condition}" : $"{patient}|{device}|{condition}";

    /// <summary>The control id of the alarm-lane record at <paramref name="seq"/>: gateway, chain epoch (first 12 digits) and seq.</summary>
    public static string ControlId(string gw, string epoch, long seq) => $"{gw}.{epoch[..Math.Min(12, epoch.Length)]}.{seq}";
}
