namespace EdgeTwin.Hl7v2;

/// <summary>
/// A message (or one field of it) breaks the HL7 v2 encoding rules. <see cref="ErrorCode"/> is the
/// HL7 table 0357 code the ACK's ERR segment reports; <see cref="Header"/> is the MSH when it could
/// be read, so the ACK can still echo the sender's control id.
/// </summary>
public sealed class Hl7FormatException : Exception
{
    public Hl7FormatException()
    {
    }

    public Hl7FormatException(string message)
        : base(message)
    {
    }

    public Hl7FormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public Hl7FormatException(string message, Hl7ErrorCode errorCode, string? location = null, Hl7Segment? header = null)
        : base(message)
    {
        ErrorCode = errorCode;
        Location = location;
        Header = header;
    }

    public Hl7ErrorCode ErrorCode { get; } = Hl7ErrorCode.ApplicationInternalError;

    /// <summary>Where it went wrong, as an ERR-2 location (<c>OBX^3</c>), when known.</summary>
    public string? Location { get; }

    public Hl7Segment? Header { get; }
}
