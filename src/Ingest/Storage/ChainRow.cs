namespace EdgeTwin.Ingest.Storage;

using EdgeTwin.Telemetry.Verification;

/// <summary>
/// Persisted state of one chain: the verifier's exported state (so verification resumes after a
/// restart or on another worker) and the PROTOCOL §8 figures the API serves.
/// <see cref="VerifiedThrough"/> is -1 until seq 0 is verified; records with a higher seq are not data yet.
/// </summary>
internal sealed record ChainRow
{
    public required ChainId Id { get; init; }
    public required string Site { get; init; }
    /// <summary>The verifier's state as stored: <see cref="ChainStateCodec"/> bytes (or a pre-2026-12 store's JSON as UTF-8, which it reads too).</summary>
    public byte[]? VerifierState { get; init; }

    /// <summary>The verifier's state, decoded; null when none is stored.</summary>
    public ChainVerifierState? DecodeState() => VerifierState is { } stored ? ChainStateCodec.Decode(stored) : null;
    public long Received { get; init; }
    public long VerifiedThrough { get; init; } = -1;
    public long Verified { get; init; }
    public long Pending { get; init; }
    public long Missing { get; init; }
    public long Duplicates { get; init; }
    public long Forks { get; init; }
    public long BadSignatures { get; init; }
    public long BrokenLinks { get; init; }

    /// <summary>Records a valid checkpoint showed not to be the gateway's (injected), or refused beyond the verifier's caps.</summary>
    public long UnsignedBranch { get; init; }
    public long GapCovered { get; init; }
    public long Rejected { get; init; }
    public long ReceiptedThrough { get; init; } = -1;
    public DateTimeOffset? LastCheckpointAt { get; init; }
    public DateTimeOffset? MissingSince { get; init; }
    public bool GapAlerted { get; init; }
    public DateTimeOffset FirstSeenAt { get; init; }
    public string? GenesisReason { get; init; }

    public static ChainRow Fresh(ChainId id, string site, DateTimeOffset now) => new() { Id = id, Site = site, FirstSeenAt = now };
}
