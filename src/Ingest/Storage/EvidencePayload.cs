namespace EdgeTwin.Ingest.Storage;

using System.Security.Cryptography;

/// <summary>
/// What evidence keeps at rest (issue 14): at most the first 4 KiB of a payload, with its size and
/// SHA-256, so a stranger's 5 MB message costs 4 KiB and raw patient data is not kept whole. Both
/// backends store what <see cref="Keep"/> returns. A truncated fork variant cannot come back as a
/// record from evidence (<see cref="IsWhole"/>); the gateway's re-send brings the record instead.
/// </summary>
internal static class EvidencePayload
{
    public const int KeptBytes = 4096;

    /// <summary>The row as stored: payload cut to <see cref="KeptBytes"/>, size and hash of the whole.</summary>
    public static EvidenceRow Keep(EvidenceRow e) =>
        e.Sha256 is not null ? e
        : e with
        {
            Payload = e.Payload.Length > KeptBytes ? e.Payload[..KeptBytes] : e.Payload,
            Size = e.Payload.LongLength,
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(e.Payload)),
        };

    /// <summary>A stored row whose payload is the whole message (rows stored before truncation count as whole).</summary>
    public static bool IsWhole(EvidenceRow e) => !e.Truncated;
}
