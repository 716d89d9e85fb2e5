namespace EdgeTwin.Telemetry.Verification;

/// <summary>
/// Everything a verifier knows about one chain, bounded in size, for the ingest to persist between
/// runs (<see cref="StreamVerifier.ExportChain"/> / <see cref="StreamVerifier.ImportChain"/>).
/// <see cref="LinkedThrough"/>/<see cref="HeadHash"/>: every seq up to it links back to genesis;
/// <see cref="Recent"/>: hashes of the last linked seqs (null hash: a seq passed by a gap statement).
/// <see cref="HeadPrev"/>/<see cref="HeadAlternative"/>: the head's own prev and a forked twin of the head
/// that links as well, so a fork at the head resolves the same way after a restart (null in states saved
/// before they existed).
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
    string? HeadAlternative = null);
