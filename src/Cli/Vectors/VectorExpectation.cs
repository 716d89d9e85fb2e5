namespace EdgeTwin.Cli.Vectors;

/// <summary>What a verifier must report for a vector file, summed over its chains (manifest.json).</summary>
internal sealed record VectorExpectation(
    int Chains,
    long Received,
    long Verified,
    long Pending,
    long Forks,
    long Missing,
    long BrokenLinks,
    long BadSigs,
    long Duplicates,
    long GapCovered,
    long UnsignedBranch = 0,
    long Rejected = 0);
