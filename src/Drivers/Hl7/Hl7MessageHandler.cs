namespace EdgeTwin.Drivers.Hl7;

using System.Globalization;
using EdgeTwin.Hl7v2;

/// <summary>
/// Decides what one message means for one monitor: AR for what we do not take (another message
/// type, a non-2.x version, a training/debug processing id, an unexpected sender), AE for what is
/// malformed, AA with its samples otherwise. A control id already accepted is ACKed again with no
/// samples. Socket-free, so every rule is unit-tested.
/// </summary>
internal sealed class Hl7MessageHandler(Hl7MllpSettings settings, TimeProvider time)
{
    private readonly RecentMessageIds _recent = new(settings.RecentIdCapacity);
    private long _ackCounter;

    public HandledMessage Handle(string text)
    {
        Hl7Message message;
        try
        {
            message = Hl7Message.Parse(text);
        }
        catch (Hl7FormatException error)
        {
            return Refuse(error.Header, AckCode.Error, error.Message, error.ErrorCode, error.Location);
        }

        var header = message.Header;
        try
        {
            if (Rejection(header) is { } reject)
            {
                return Refuse(header, AckCode.Reject, reject.Reason, reject.Code, reject.Location);
            }

            if (message.ControlId.Length == 0)
            {
                return Refuse(header, AckCode.Error, "MSH-10 (message control id) is empty.", Hl7ErrorCode.RequiredFieldMissing, "MSH^10");
            }

            if (_recent.Contains(message.ControlId))
            {
                return new HandledMessage(AckCode.Accept, Ack(header, AckCode.Accept, "duplicate; already accepted"), message.ControlId, [], [], 0, true, null);
            }

            var content = OruReader.Read(message, settings.DeviceId, settings.LocalTimeZone, time.GetUtcNow());
            _recent.Remember(message.ControlId);
            var note = content.Skipped.Count == 0 ? null : $"{content.Skipped.Count.ToString(CultureInfo.InvariantCulture)} observation(s) not used";
            return new HandledMessage(AckCode.Accept, Ack(header, AckCode.Accept, note), message.ControlId, content.Samples, content.Skipped, content.ImplausibleCount, false, null,
                content.DescriptionRows, content.Disagreements);
        }
        catch (Hl7FormatException error)
        {
            return Refuse(header, AckCode.Error, error.Message, error.ErrorCode, error.Location);
        }
    }

    /// <summary>An AE for a frame too large to read: the MSH from its first bytes lets the ACK echo the control id.</summary>
    public HandledMessage RefuseOversize(string prefix, int limit)
    {
        Hl7Segment? header = null;
        try
        {
            var end = prefix.IndexOfAny(['\r', '\n']);
            header = end > 0 ? new Hl7Segment(prefix[..end], Hl7Delimiters.FromHeader(prefix)) : null;
        }
        catch (Hl7FormatException)
        {
            // Without a readable MSH the AE goes out with default delimiters and no control id.
        }

        return Refuse(header, AckCode.Error, $"Message larger than {limit.ToString(CultureInfo.InvariantCulture)} bytes; discarded.", Hl7ErrorCode.ApplicationInternalError, null);
    }

    private (string Reason, Hl7ErrorCode Code, string Location)? Rejection(Hl7Segment header)
    {
        var type = header.Get(9, 1);
        var trigger = header.Get(9, 2);
        if (type != "ORU")
        {
            return ($"Message type {type}^{trigger} is not taken; only ORU^R01.", Hl7ErrorCode.UnsupportedMessageType, "MSH^9");
        }

        if (trigger != "R01")
        {
            return ($"Trigger event {type}^{trigger} is not taken; only ORU^R01.", Hl7ErrorCode.UnsupportedEventCode, "MSH^9");
        }

        var version = header.Get(12);
        if (!version.StartsWith("2.", StringComparison.Ordinal))
        {
            return ($"Version '{version}' is not taken; HL7 v2.x only.", Hl7ErrorCode.UnsupportedVersionId, "MSH^12");
        }

        var processing = header.Get(11);
        if (processing != "P")
        {
            return ($"Processing id '{processing}' is not taken: only production (P) data becomes patient samples.", Hl7ErrorCode.UnsupportedProcessingId, "MSH^11");
        }

        if (settings.SendingApplication is { } application && header.Get(3) != application)
        {
            return ($"Sending application '{header.Get(3)}' is not the configured '{application}'.", Hl7ErrorCode.ApplicationInternalError, "MSH^3");
        }

        if (settings.SendingFacility is { } facility && header.Get(4) != facility)
        {
            return ($"Sending facility '{header.Get(4)}' is not the configured '{facility}'.", Hl7ErrorCode.ApplicationInternalError, "MSH^4");
        }

        return null;
    }

    private HandledMessage Refuse(Hl7Segment? header, AckCode code, string problem, Hl7ErrorCode error, string? location)
    {
        var ack = Ack(header, code, problem, error, location);
        return new HandledMessage(code, ack, header?.Raw(10) ?? "", [], [], 0, false, problem);
    }

    private string Ack(Hl7Segment? header, AckCode code, string? text, Hl7ErrorCode? error = null, string? location = null)
    {
        var id = "ET" + Interlocked.Increment(ref _ackCounter).ToString(CultureInfo.InvariantCulture);
        return AckBuilder.Build(header, code, id, time.GetUtcNow(), text, error, location);
    }
}
