namespace EdgeTwin.Telemetry.Verification;

/// <summary>
/// What a verifier reports for one chain (PROTOCOL §8). Counts are of distinct records (seq, hash)
/// unless named otherwise. <see cref="VerifiedThrough"/> is the highest seq s such that every seq
/// 0..s is verified or gap-covered (-1: none).
/// </summary>
public sealed record ChainReport(
    ChainKey Chain,
    string? Key,
    long Received,
    long Duplicates,
    long Forks,
    long Missing,
    long GapCovered,
    long Verified,
    long Pending,
    long BadSigs,
    long BrokenLinks,
    long UnknownSigner,
    long Rejected,
    long BeyondWindow,
    long BehindWindow,
    long VerifiedThrough,
    long HighestSeq,
    IReadOnlyList<string> Problems)
{
    /// <summary>Nothing forked, broken, badly signed, unenrolled or rejected. Missing and pending are not failures.</summary>
    public bool Sound => Forks == 0 && BrokenLinks == 0 && BadSigs == 0 && UnknownSigner == 0 && Rejected == 0;
}
