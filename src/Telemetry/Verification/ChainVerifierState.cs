namespace EdgeTwin.Telemetry.Verification;

/// <summary>
/// Everything a verifier knows about one chain, bounded in size, for the ingest to persist between
/// runs (<see cref="StreamVerifier.ExportChain"/> / <see cref="StreamVerifier.ImportChain"/>).
/// <see cref="LinkedThrough"/>/<see cref="HeadHash"/>: every seq up to it is covered by a valid checkpoint
/// and links back to genesis (decided); <see cref="Held"/>: every record above it (candidates, several at
/// one seq until a checkpoint decides); <see cref="Recent"/>: hashes of the last decided seqs (null hash:
/// a seq passed by a gap statement). <see cref="HeadPrev"/>/<see cref="HeadAlternative"/>: written by
/// verifiers before 2026-12 (which linked records before a checkpoint covered them); read and ignored.
/// </summary>
public sealed record ChainVerifierState(
    ChainKey Chain,
    string? Key,
    long LinkedThrough,
    string HeadHash,
    long VerifiedThrough,
    bool Broken,
    bool Unenrolled,
    long HighestSeq,
    ChainCounters Counters,
    IReadOnlyList<HeldRecordState> Held,
    IReadOnlyList<KeyValuePair<long, string?>> Recent,
    IReadOnlyList<string> Problems,
    string? HeadPrev = null,
    string? HeadAlternative = null,
    long Start = 0,
    long BeforeStart = 0);
