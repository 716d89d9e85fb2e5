namespace EdgeTwin.Telemetry.Verification;

/// <summary>Options of a <see cref="StreamVerifier"/>.</summary>
public sealed class VerifierOptions
{
    /// <summary>Enrolled gateway addresses (any case); null accepts any genesis key.</summary>
    public IReadOnlyCollection<string>? EnrolledAddresses { get; init; }

    /// <summary>
    /// How far ahead of the first unlinked seq a record may be and still be held (per chain). Records
    /// further ahead are rejected as <c>beyond-window</c> and counted; the caller keeps them and adds
    /// them again later. Bounds memory to about 200 bytes per held record.
    /// </summary>
    public int ReorderWindow { get; init; } = 16_384;

    /// <summary>
    /// How many hashes of linked records each chain remembers to tell late duplicates from forks.
    /// A record older than that is rejected as <c>behind-window</c> (the caller may compare it with its
    /// store). 32 bytes per entry per chain.
    /// </summary>
    public int RecentWindow { get; init; } = 4_096;

    /// <summary>Most chains tracked at once; records of further chains are rejected as <c>too-many-chains</c>.</summary>
    public int MaxChains { get; init; } = 10_000;

    /// <summary>Named problems kept per chain; further ones are only counted.</summary>
    public int MaxProblemsPerChain { get; init; } = 100;
}
