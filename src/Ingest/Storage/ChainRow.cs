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

    /// <summary>
    /// SHA-256 of the compact state as stored when the row was read (PostgreSQL computes it, so whoever
    /// wrote the state, the digest is its own); null when the store does not keep one.
    /// </summary>
    public byte[]? StoredDigest { get; init; }

    /// <summary>
    /// True when the lock left the state out because the worker said it holds the one with
    /// <see cref="StoredDigest"/>; then a null <see cref="VerifierState"/> means "unchanged, not read".
    /// </summary>
    public bool StateLeftOut { get; init; }

    /// <summary>The verifier's state, decoded; null when none is stored.</summary>
    public ChainVerifierState? DecodeState() => StoredState() is { } stored ? ChainStateCodec.Decode(stored) : null;

    /// <summary>The verifier's state as stored; null when none is. A row that left it out (<see cref="StateLeftOut"/>) throws.</summary>
    public byte[]? StoredState() =>
        VerifierState ?? (StateLeftOut ? throw new InvalidOperationException($"The state of {Id} was left out of this row (the worker holds it); it cannot be decoded from here.") : null);

    /// <summary>As <see cref="DecodeState"/>, or false with why the stored state cannot be read.</summary>
    public bool TryDecodeState(out ChainVerifierState? state, out string? problem)
    {
        try
        {
            state = DecodeState();
            problem = null;
            return true;
        }
        catch (InvalidDataException ex)
        {
            state = null;
            problem = ex.Message;
            return false;
        }
    }

    /// <summary>Whether <see cref="VerifierState"/> is what the store holds already (nothing to write).</summary>
    public bool StateUnchanged() =>
        VerifierState is null ? StateLeftOut
        : StoredDigest is { } stored && stored.AsSpan().SequenceEqual(System.Security.Cryptography.SHA256.HashData(VerifierState));
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
