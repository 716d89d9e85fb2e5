namespace EdgeTwin.Ingest.AlarmsOut;

using EdgeTwin.Hl7v2;

/// <summary>
/// An IHE PCD-05 Report Alert Status (ORA^R41^ORA_R41) from an alarm manager, read strictly:
/// which alert (OBR-3.1, else the PCD-04 its MSA-2 answers), what happened to it
/// (<c>delivered</c>, <c>read</c>, <c>accepted</c>, <c>rejected</c> in OBX-5), by whom (OBX-16)
/// and when (OBX-14; absent: when it arrived). Anything else is refused with the HL7 error that
/// says why (<see cref="Hl7FormatException"/> or <see cref="AlertStatusRefusal"/>), and changes nothing.
/// </summary>
internal sealed record AlertStatusReport(string ControlId, string? AlertId, string? AnsweredControlId, string Status, string? Who, DateTimeOffset At)
{
    public static readonly IReadOnlyList<string> Statuses = ["delivered", "read", "accepted", "rejected"];

    public static AlertStatusReport Read(Hl7Message message, DateTimeOffset receivedAt)
    {
        var header = message.Header;
        var type = header.Get(9, 1);
        var trigger = header.Get(9, 2);
        if (type != "ORA")
        {
            throw new AlertStatusRefusal(AckCode.Reject, Hl7ErrorCode.UnsupportedMessageType, "MSH^9", $"Message type {type}^{trigger} is not taken here; only ORA^R41 (PCD-05).");
        }

        if (trigger != "R41")
        {
            throw new AlertStatusRefusal(AckCode.Reject, Hl7ErrorCode.UnsupportedEventCode, "MSH^9", $"Trigger event {type}^{trigger} is not taken here; only ORA^R41 (PCD-05).");
        }

        if (!header.Get(12).StartsWith("2.", StringComparison.Ordinal))
        {
            throw new AlertStatusRefusal(AckCode.Reject, Hl7ErrorCode.UnsupportedVersionId, "MSH^12", $"Version '{header.Get(12)}' is not taken; HL7 v2.x only.");
        }

        if (header.Get(11) != "P")
        {
            throw new AlertStatusRefusal(AckCode.Reject, Hl7ErrorCode.UnsupportedProcessingId, "MSH^11", $"Processing id '{header.Get(11)}' is not taken: only production (P) statuses are recorded.");
        }

        if (message.ControlId.Length == 0)
        {
            throw new AlertStatusRefusal(AckCode.Error, Hl7ErrorCode.RequiredFieldMissing, "MSH^10", "MSH-10 (message control id) is empty.");
        }

        var alertId = message.Segments.FirstOrDefault(s => s.Id == "OBR")?.Get(3) is { Length: > 0 } id ? id : null;
        var answered = message.Segments.FirstOrDefault(s => s.Id == "MSA")?.Get(2) is { Length: > 0 } a ? a : null;
        if (alertId is null && answered is null)
        {
            throw new AlertStatusRefusal(AckCode.Error, Hl7ErrorCode.RequiredFieldMissing, "OBR^3", "Neither OBR-3 (alert identity) nor MSA-2 (the PCD-04 answered) names an alert.");
        }

        var rows = message.Segments.Where(s => s.Id == "OBX").ToList();
        if (rows.Count != 1)
        {
            throw new AlertStatusRefusal(AckCode.Error, rows.Count == 0 ? Hl7ErrorCode.RequiredFieldMissing : Hl7ErrorCode.SegmentSequenceError, "OBX",
                $"A status report carries exactly one OBX with the status; found {rows.Count}.");
        }

        var obx = rows[0];
        var status = obx.Get(5).ToLowerInvariant();
        if (!Statuses.Contains(status))
        {
            throw new AlertStatusRefusal(AckCode.Error, Hl7ErrorCode.TableValueNotFound, "OBX^5", $"OBX-5 '{obx.Get(5)}' is not an alert status ({string.Join(", ", Statuses)}).");
        }

        var at = receivedAt;
        if (obx.Get(14) is { Length: > 0 } time && !Hl7Timestamp.TryParse(time, TimeZoneInfo.Utc, out at, out var problem))
        {
            throw new AlertStatusRefusal(AckCode.Error, Hl7ErrorCode.DataTypeError, "OBX^14", $"OBX-14: {problem}.");
        }

        var who = string.Join(' ', new[] { obx.Get(16, 1), obx.Get(16, 3), obx.Get(16, 2) }.Where(p => p.Length > 0));
        return new AlertStatusReport(message.ControlId, alertId, answered, status, who.Length == 0 ? null : who, at);
    }
}
