namespace EdgeTwin.Hl7v2;

/// <summary>What the MLLP reader found next in the byte stream.</summary>
public enum MllpFrameKind
{
    /// <summary>A complete frame (0x0B ... 0x1C 0x0D) within the size limit.</summary>
    Message,

    /// <summary>A complete frame over the limit; only its first bytes are kept (to read the MSH for an AE).</summary>
    Oversize,

    /// <summary>Bytes outside any frame, discarded.</summary>
    Garbage,

    /// <summary>A frame cut short (a new start block inside it, 0x1C not followed by 0x0D, or the connection closed in it), discarded.</summary>
    Broken,

    /// <summary>A started frame did not complete within the read timeout; the connection must be closed.</summary>
    TimedOut,
}
