namespace EdgeTwin.Hl7v2;

using System.Text;

/// <summary>
/// Builds the original-mode ACK for a message: MSH with sender and receiver swapped, MSA echoing
/// MSH-10, and for AE/AR an ERR segment with the table 0357 code and the reason. Uses the sender's
/// delimiters so the peer reads its ACK the way it writes its messages. The trigger event is the
/// one acknowledged (R01 for the driver's ORU^R01, R41 for an alarm manager's ORA^R41).
/// </summary>
public static class AckBuilder
{
    public static string Build(Hl7Segment? original, AckCode code, string ackControlId, DateTimeOffset now, string? text = null, Hl7ErrorCode? error = null, string? location = null, string trigger = "R01")
    {
        var d = original?.Delimiters ?? Hl7Delimiters.Default;
        var f = d.Field;
        var processing = original is null || original.Raw(11).Length == 0 ? "P" : original.Raw(11);
        var version = original is null || original.Raw(12).Length == 0 ? "2.5.1" : original.Raw(12);
        var ack = new StringBuilder(256);
        ack.Append("MSH").Append(f).Append(d.EncodingCharacters)
            .Append(f).Append(original?.Raw(5)).Append(f).Append(original?.Raw(6))
            .Append(f).Append(original?.Raw(3)).Append(f).Append(original?.Raw(4))
            .Append(f).Append(Hl7Timestamp.Format(now))
            .Append(f)
            .Append(f).Append("ACK").Append(d.Component).Append(trigger).Append(d.Component).Append("ACK")
            .Append(f).Append(d.EscapeText(ackControlId))
            .Append(f).Append(processing)
            .Append(f).Append(version)
            .Append('\r');
        ack.Append("MSA").Append(f).Append(code switch { AckCode.Accept => "AA", AckCode.Error => "AE", _ => "AR" })
            .Append(f).Append(original?.Raw(10));
        if (text is not null)
        {
            ack.Append(f).Append(d.EscapeText(Limit(text)));
        }

        ack.Append('\r');
        if (code != AckCode.Accept)
        {
            var condition = error ?? Hl7ErrorCode.ApplicationInternalError;
            ack.Append("ERR").Append(f)
                .Append(f).Append(location is null ? "" : string.Join(d.Component, location.Split('^').Select(d.EscapeText)))
                .Append(f).Append((int)condition).Append(d.Component).Append(d.EscapeText(Describe(condition))).Append(d.Component).Append("HL70357")
                .Append(f).Append('E')
                .Append(f).Append(f).Append(f)
                .Append(f).Append(d.EscapeText(Limit(text ?? Describe(condition))))
                .Append('\r');
        }

        return ack.ToString();
    }

    private static string Describe(Hl7ErrorCode code) => code switch
    {
        Hl7ErrorCode.SegmentSequenceError => "Segment sequence error",
        Hl7ErrorCode.RequiredFieldMissing => "Required field missing",
        Hl7ErrorCode.DataTypeError => "Data type error",
        Hl7ErrorCode.TableValueNotFound => "Table value not found",
        Hl7ErrorCode.UnsupportedMessageType => "Unsupported message type",
        Hl7ErrorCode.UnsupportedEventCode => "Unsupported event code",
        Hl7ErrorCode.UnsupportedProcessingId => "Unsupported processing id",
        Hl7ErrorCode.UnsupportedVersionId => "Unsupported version id",
        Hl7ErrorCode.UnknownKeyIdentifier => "Unknown key identifier",
        _ => "Application internal error",
    };

    /// <summary>Keeps a reason short enough for any receiver's MSA-3/ERR-8.</summary>
    private static string Limit(string text) => text.Length <= 200 ? text : text[..197] + "...";
}
