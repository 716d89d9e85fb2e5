namespace EdgeTwin.Hl7v2;

/// <summary>MSA-1 acknowledgment codes (original mode).</summary>
public enum AckCode
{
    /// <summary>AA: accepted (also for a resent duplicate).</summary>
    Accept,

    /// <summary>AE: the message was malformed; nothing of it was used.</summary>
    Error,

    /// <summary>AR: a message type, version, processing id or sender we do not take.</summary>
    Reject,
}
