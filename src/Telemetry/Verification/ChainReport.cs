namespace EdgeTwin.Telemetry.Verification;

/// <summary>
/// What a verifier reports for one chain (PROTOCOL §8). Counts are of distinct records (seq, hash)
/// unless named otherwise. <see cref="UnsignedBranch"/>: records that a valid checkpoint showed not
/// to be the gateway's (they were held beside the genuine record at their seq, or descend from such a
/// record), or that were refused beyond the caps on held alternatives; they are not in <see cref="Received"/>.
/// <see cref="VerifiedThrough"/> is the highest seq s such that every seq <see cref="From"/>..s is verified or
/// gap-covered (-1: none). <see cref="From"/>: the first seq in scope, 0 unless verified from the middle
/// (<see cref="VerifierOptions.FromMiddle"/>), where <see cref="BeforeStart"/> counts records received
/// before it (out of scope: neither checked nor missing).
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
    IReadOnlyList<string> Problems,
    long UnsignedBranch = 0,
    long From = 0,
    long BeforeStart = 0)
{
    /// <summary>
    /// Nothing forked, broken, badly signed, unenrolled, rejected or injected (unsigned branch records).
    /// Missing and pending are not failures.
    /// </summary>
    public bool Sound => Forks == 0 && BrokenLinks == 0 && BadSigs == 0 && UnknownSigner == 0 && Rejected == 0 && UnsignedBranch == 0;
}
