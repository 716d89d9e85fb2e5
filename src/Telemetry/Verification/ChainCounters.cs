namespace EdgeTwin.Telemetry.Verification;

/// <summary>The running counts of one chain (see <see cref="ChainReport"/> for their meaning).</summary>
public sealed record ChainCounters(
    long Received,
    long Duplicates,
    long Forks,
    long GapCovered,
    long Verified,
    long LinkedUnverified,
    long BadSigs,
    long BrokenLinks,
    long UnknownSigner,
    long Rejected,
    long BeyondWindow,
    long BehindWindow,
    long InsideGap,
    long ProblemsDropped,
    long UnsignedBranch = 0);
