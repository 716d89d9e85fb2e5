namespace EdgeTwin.Ingest.Processing;

/// <summary>The verifier's PROTOCOL §8 figures for one chain.</summary>
internal sealed record ChainFigures(
    long Received,
    long VerifiedThrough,
    long Verified,
    long Pending,
    long Missing,
    long Duplicates,
    long Forks,
    long BadSignatures,
    long BrokenLinks,
    long GapCovered,
    long UnknownSigner,
    bool Unenrolled,
    long UnsignedBranch = 0);
