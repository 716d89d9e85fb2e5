namespace EdgeTwin.Ingest.Tests.Support;

using EdgeTwin.Ingest.Storage;

/// <summary>A real store whose write transaction a test wraps (the abstract <c>WriteAsync</c>); everything else goes to the store as it is.</summary>
internal abstract class DelegatingIngestStore(IIngestStore inner) : IIngestStore
{
    protected IIngestStore Inner => inner;

    public string Backend => inner.Backend;

    public Task InitializeAsync(CancellationToken ct) => inner.InitializeAsync(ct);

    public Task<T> WriteAsync<T>(IReadOnlyCollection<ChainId> chains, string site, Func<IWriteSession, Task<T>> work, CancellationToken ct) =>
        WriteAsync(chains, _ => site, null, work, ct);

    public abstract Task<T> WriteAsync<T>(IReadOnlyCollection<ChainId> chains, Func<ChainId, string> siteOf, Func<ChainId, byte[]?>? heldState, Func<IWriteSession, Task<T>> work, CancellationToken ct);

    public Task<IReadOnlyList<ChainRow>> ChainsAsync(string? gw, CancellationToken ct) => inner.ChainsAsync(gw, ct);

    public Task<GatewayRow?> GatewayAsync(string gw, CancellationToken ct) => inner.GatewayAsync(gw, ct);

    public Task<IReadOnlyList<GatewayRow>> GatewaysAsync(CancellationToken ct) => inner.GatewaysAsync(ct);

    public Task<IReadOnlyList<RecordRow>> VerifiedRecordsAsync(RecordQuery query, CancellationToken ct) => inner.VerifiedRecordsAsync(query, ct);

    public Task<IReadOnlyList<RecordRow>> CheckpointsAsync(ChainId chain, long fromSeq, long toSeq, CancellationToken ct) => inner.CheckpointsAsync(chain, fromSeq, toSeq, ct);

    public Task<IReadOnlyList<AlertRow>> AlertsAsync(long afterId, int limit, CancellationToken ct) => inner.AlertsAsync(afterId, limit, ct);

    public Task<IReadOnlyList<EvidenceRow>> EvidenceAsync(int limit, CancellationToken ct) => inner.EvidenceAsync(limit, ct);

    public Task<long> RecordCountAsync(CancellationToken ct) => inner.RecordCountAsync(ct);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
