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

    /// <summary>
    /// Keep the hash of every seq decided (linked under a valid checkpoint, or passed by a gap statement)
    /// until <see cref="StreamVerifier.ClearDecided"/>, so <see cref="StreamVerifier.TryLinkedHash"/> answers
    /// for all of them however far one checkpoint reaches back, not only for the last
    /// <see cref="RecentWindow"/>. For a caller that checks its store against each decision and then
    /// clears (the ingest, once per batch); without clearing it grows with the chain.
    /// </summary>
    public bool LogDecidedLinks { get; init; }

    /// <summary>
    /// The caller stores every record the verifier links, and may put a chain's remembered links at rest
    /// (<see cref="StreamVerifier.Rest"/>): their hashes are then kept by its store, not in memory, until a
    /// record that needs them comes, which the verifier refuses as <c>links-at-rest</c> (nothing changed) so
    /// the caller restores them from its store (<see cref="StreamVerifier.RestoreLinks"/>) and adds it again.
    /// A state exported at rest lists only the links not at rest; imported with this set, the window's seqs
    /// below the lowest one listed are at rest again. For the ingest (docs/ingest.md, "Memory per chain").
    /// </summary>
    public bool LinksAtRestInCallerStore { get; init; }

    /// <summary>Most chains tracked at once; records of further chains are rejected as <c>too-many-chains</c>.</summary>
    public int MaxChains { get; init; } = 10_000;

    /// <summary>Named problems kept per chain; further ones are only counted.</summary>
    public int MaxProblemsPerChain { get; init; } = 100;

    /// <summary>
    /// Most different records held side by side at one seq no valid checkpoint covers yet. A further
    /// one is refused as <c>too-many-alternatives</c> and counted as an unsigned branch record, unless
    /// it is the very record a valid checkpoint is waiting for.
    /// </summary>
    public int MaxAlternativesPerSeq { get; init; } = 4;

    /// <summary>
    /// Most records held per chain while no valid checkpoint covers them (candidates, all seqs). At the
    /// cap a further alternative is refused (<c>too-many-alternatives</c>, counted as an unsigned branch
    /// record) and a first record at its seq is refused as <c>beyond-window</c> (the caller adds it again).
    /// Of these, at most a quarter may be second (third...) records at a seq, so strangers cannot fill
    /// the room the gateway's own records need.
    /// </summary>
    public int MaxHeldRecords { get; init; } = 20_480;

    /// <summary>
    /// Verify a stream joined in the middle (a live capture): a chain with no genesis held starts at its
    /// lowest held record, once a checkpoint signed by an enrolled key (<see cref="EnrolledAddresses"/>,
    /// required) links down to it; records before that seq are out of scope, not missing. Off by
    /// default: a stream missing its beginning is then reported as missing it.
    /// </summary>
    public bool FromMiddle { get; init; }
}
