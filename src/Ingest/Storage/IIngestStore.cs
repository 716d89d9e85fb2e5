namespace EdgeTwin.Ingest.Storage;

/// <summary>
/// Where the ingest keeps records, chain state, evidence, alerts and gateway facts. Two backends:
/// LiteDB (embedded, one worker) and PostgreSQL (several workers).
/// </summary>
internal interface IIngestStore : IAsyncDisposable
{
    string Backend { get; }

    /// <summary>
    /// Whether write transactions on chains of different gateways run side by side here (PostgreSQL:
    /// one connection each, row locks), so a worker gains from more than one store lane
    /// (<c>Ingest:StoreLanes</c>); false where the store takes one writer at a time (LiteDB).
    /// </summary>
    bool ConcurrentWrites => false;

    Task InitializeAsync(CancellationToken ct);

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction with the rows of <paramref name="chains"/>
    /// created if absent (with the site <paramref name="siteOf"/> names) and locked, in one order on
    /// every worker (no other worker can change them until it ends). When the task completes the
    /// transaction is committed and on disk: only then may a receipt be sent. <paramref name="heldState"/>
    /// names the digest of the chain state the caller holds already (null: none); a store may then
    /// leave that state out of the locked row (<see cref="ChainRow.StateLeftOut"/>) instead of reading it.
    /// </summary>
    Task<T> WriteAsync<T>(IReadOnlyCollection<ChainId> chains, Func<ChainId, string> siteOf, Func<ChainId, byte[]?>? heldState, Func<IWriteSession, Task<T>> work, CancellationToken ct);

    /// <summary><see cref="WriteAsync{T}(IReadOnlyCollection{ChainId}, Func{ChainId, string}, Func{ChainId, byte[]}, Func{IWriteSession, Task{T}}, CancellationToken)"/> with chains of one site, every state read.</summary>
    Task<T> WriteAsync<T>(IReadOnlyCollection<ChainId> chains, string site, Func<IWriteSession, Task<T>> work, CancellationToken ct);

    Task<IReadOnlyList<ChainRow>> ChainsAsync(string? gw, CancellationToken ct);

    Task<GatewayRow?> GatewayAsync(string gw, CancellationToken ct);

    Task<IReadOnlyList<GatewayRow>> GatewaysAsync(CancellationToken ct);

    /// <summary>Records whose seq is verified, ordered by chain then seq.</summary>
    Task<IReadOnlyList<RecordRow>> VerifiedRecordsAsync(RecordQuery query, CancellationToken ct);

    /// <summary>Checkpoint records of a chain with seq in [fromSeq, toSeq].</summary>
    Task<IReadOnlyList<RecordRow>> CheckpointsAsync(ChainId chain, long fromSeq, long toSeq, CancellationToken ct);

    Task<IReadOnlyList<AlertRow>> AlertsAsync(long afterId, int limit, CancellationToken ct);

    Task<IReadOnlyList<EvidenceRow>> EvidenceAsync(int limit, CancellationToken ct);

    Task<long> RecordCountAsync(CancellationToken ct);
}
