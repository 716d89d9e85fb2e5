namespace EdgeTwin.Ingest.AlarmsOut;

using EdgeTwin.Hl7v2;

/// <summary>A PCD-05 that is well-formed HL7 but not taken: the ACK code, table 0357 error, location and reason it is answered with.</summary>
internal sealed class AlertStatusRefusal : Exception
{
    public AlertStatusRefusal()
    {
    }

    public AlertStatusRefusal(string message)
        : base(message)
    {
    }

    public AlertStatusRefusal(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public AlertStatusRefusal(AckCode code, Hl7ErrorCode error, string location, string message)
        : base(message)
    {
        Code = code;
        Error = error;
        Location = location;
    }

    public AckCode Code { get; } = AckCode.Error;

    public Hl7ErrorCode Error { get; } = Hl7ErrorCode.ApplicationInternalError;

    public string? Location { get; }
}
