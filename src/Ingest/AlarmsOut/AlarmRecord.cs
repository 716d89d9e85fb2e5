namespace EdgeTwin.Ingest.AlarmsOut;

using System.Globalization;
using System.Text.Json;
using EdgeTwin.Telemetry.Records;

/// <summary>
/// The body of an ETP/1 <c>alarm</c> record (PROTOCOL §4) and its creation time, as the alarm
/// reporter needs them. <see cref="TryParse"/> refuses what it cannot forward faithfully, with the reason.
/// </summary>
internal sealed record AlarmRecord(string Patient, string Device, string Priority, string Condition, string State, string Source, double? Value, string Text, DateTimeOffset At)
{
    public const string Raised = "raised";
    public const string Cleared = "cleared";
    public const string Acknowledged = "acknowledged";

    /// <summary>
    /// One alarm of the box, as the engine keys it (docs/inference.md): patient | device | condition;
    /// NEWS2 and model alarms are per patient (their records name the device of the latest
    /// evidence, which may change), so their device is left out.
    /// </summary>
    public string Key => AlarmIdentity.Key(Patient, Device, Condition, Source);

    public static bool TryParse(byte[] payload, out AlarmRecord? alarm, out string? problem)
    {
        alarm = null;
        try
        {
            using var doc = JsonDocument.Parse(payload);
            var root = doc.RootElement;
            if (!root.TryGetProperty("body", out var body) || body.ValueKind != JsonValueKind.Object)
            {
                problem = "no body object";
                return false;
            }

            if (!root.TryGetProperty("ts", out var tsElement) || tsElement.ValueKind != JsonValueKind.String
                || !DateTimeOffset.TryParse(tsElement.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                problem = "no RFC 3339 ts";
                return false;
            }

            string? Text(string name) => body.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            var priority = Text("priority");
            var state = Text("state");
            var condition = Text("condition");
            if (priority is not ("high" or "medium" or "low"))
            {
                problem = $"priority '{priority}' is not high, medium or low";
                return false;
            }

            if (state is not (Raised or Cleared or Acknowledged))
            {
                problem = $"state '{state}' is not raised, cleared or acknowledged";
                return false;
            }

            if (string.IsNullOrEmpty(condition))
            {
                problem = "no condition";
                return false;
            }

            double? value = body.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
            alarm = new AlarmRecord(Text("patient") ?? "", Text("device") ?? "", priority, condition, state, Text("source") ?? "", value, Text("text") ?? "", at.ToUniversalTime());
            problem = null;
            return true;
        }
        catch (JsonException ex)
        {
            problem = $"not JSON: {ex.Message}";
            return false;
        }
    }
}
