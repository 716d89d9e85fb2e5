namespace EdgeTwin.Telemetry.Wire;

/// <summary>Size and range limits of ETP/1 (PROTOCOL §9 and docs/protocol.md).</summary>
public static class Limits
{
    /// <summary>A record is at most 64 KiB of UTF-8 (PROTOCOL §9).</summary>
    public const int MaxRecordBytes = 64 * 1024;

    /// <summary>
    /// Highest sequence number: 2^53 - 1, so that a verifier in JavaScript (where every number is a
    /// double) reads the same integer we wrote.
    /// </summary>
    public const long MaxSeq = (1L << 53) - 1;

    /// <summary>Longest accepted desired-state envelope (PROTOCOL §6).</summary>
    public const int MaxEnvelopeBytes = 64 * 1024;
}
