namespace EdgeTwin.Ingest.AlarmsOut;

using EdgeTwin.Hl7v2;

/// <summary>
/// An alarm manager's MLLP acknowledgement of one PCD-04: MSA-1 (AA/CA accepted, AE/CE error,
/// AR/CR reject), MSA-3 and the ERR text. <see cref="Read"/> refuses an answer that is not an ACK
/// of <i>this</i> message (MSA-2 must echo its MSH-10), which then counts as no answer.
/// </summary>
internal sealed record AckAnswer(AckCode Code, string Text)
{
    public static AckAnswer Read(string text, string controlId)
    {
        var message = Hl7Message.Parse(text);
        var msa = message.Segments.FirstOrDefault(s => s.Id == "MSA")
            ?? throw new Hl7FormatException("The answer has no MSA segment.", Hl7ErrorCode.SegmentSequenceError, "MSA");
        var echoed = msa.Get(2);
        if (echoed != controlId)
        {
            throw new Hl7FormatException($"MSA-2 '{echoed}' does not acknowledge message '{controlId}'.", Hl7ErrorCode.DataTypeError, "MSA^2");
        }

        var code = msa.Get(1) switch
        {
            "AA" or "CA" => AckCode.Accept,
            "AE" or "CE" => AckCode.Error,
            "AR" or "CR" => AckCode.Reject,
            var other => throw new Hl7FormatException($"MSA-1 '{other}' is not an acknowledgment code.", Hl7ErrorCode.TableValueNotFound, "MSA^1"),
        };
        var err = message.Segments.FirstOrDefault(s => s.Id == "ERR");
        var reason = string.Join(": ", new[] { msa.Get(3), err?.Get(3, 2) ?? "", err?.Get(8) ?? "" }.Where(t => t.Length > 0).Distinct(StringComparer.Ordinal));
        return new AckAnswer(code, reason);
    }
}
