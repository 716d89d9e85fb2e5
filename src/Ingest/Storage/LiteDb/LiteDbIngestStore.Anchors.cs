namespace EdgeTwin.Ingest.Storage.LiteDb;

using EdgeTwin.Ingest.Anchoring;
using EdgeTwin.Outbox;
using EdgeTwin.Telemetry.Records;
using LiteDB;

/// <summary>The leaf log and the anchors on LiteDB (issue 17); written through to the disk like every commit.</summary>
internal sealed partial class LiteDbIngestStore : IAnchorStore
{
    public Task<AnchorRow?> LastAnchorAsync(CancellationToken ct) => Read(LastAnchor, ct);

    public Task<AnchorRow?> AnchorAsync(long index, CancellationToken ct) => Read(db =>
        db.GetCollection(LiteDbAnchorMapping.Anchors).FindById(index) is { } d ? LiteDbAnchorMapping.ToAnchor(d) : null, ct);

    public Task<AnchorRow?> AnchorCoveringAsync(long position, CancellationToken ct) => Read(db =>
        db.GetCollection(LiteDbAnchorMapping.Anchors).Find(LiteDbQuery.Lte("firstLeaf", position)).Select(LiteDbAnchorMapping.ToAnchor)
            .FirstOrDefault(a => a.FirstLeaf + a.TreeSize > position), ct);

    public Task<IReadOnlyList<AnchorRow>> AnchorsAsync(int limit, CancellationToken ct) => Read(db =>
        (IReadOnlyList<AnchorRow>)db.GetCollection(LiteDbAnchorMapping.Anchors).Find(Query.All(Query.Descending), limit: limit).Select(LiteDbAnchorMapping.ToAnchor).ToList(), ct);

    public Task<AnchorRow?> PrepareAnchorAsync(int maxLeaves, Func<IReadOnlyList<string>, string> root, DateTimeOffset now, CancellationToken ct) => Transact(db =>
    {
        var last = LastAnchor(db);
        if (last is { Anchored: false })
        {
            return last;
        }

        var first = last is null ? 0 : last.FirstLeaf + last.TreeSize;
        var leaves = db.GetCollection(LiteDbAnchorMapping.Leaves);
        var pending = leaves.Find(LiteDbQuery.Eq("position", BsonValue.Null)).OrderBy(d => d["_id"].AsInt64).Take(maxLeaves).ToList();
        if (pending.Count == 0)
        {
            return null;
        }

        for (var i = 0; i < pending.Count; i++)
        {
            pending[i]["position"] = first + i;
            leaves.Update(pending[i]);
        }

        var row = new AnchorRow(last is null ? 0 : last.Index + 1, root([.. pending.Select(d => d["hash"].AsString)]), first, pending.Count, last?.Root ?? AnchorRow.NoPreviousRoot, now);
        db.GetCollection(LiteDbAnchorMapping.Anchors).Insert(LiteDbAnchorMapping.FromAnchor(row));
        return row;
    }, ct);

    public Task ConfirmAnchorAsync(long index, long chainId, string contract, string tx, long block, DateTimeOffset at, CancellationToken ct) => Transact(db =>
    {
        var anchors = db.GetCollection(LiteDbAnchorMapping.Anchors);
        var row = LiteDbAnchorMapping.ToAnchor(anchors.FindById(index) ?? throw new InvalidOperationException($"anchor {index} is not stored"));
        anchors.Update(LiteDbAnchorMapping.FromAnchor(row with { ChainId = chainId, Contract = contract, Tx = tx, Block = block, AnchoredAt = at }));
        return true;
    }, ct);

    public Task<IReadOnlyList<string>> LeafHashesAsync(long from, long count, CancellationToken ct) => Read(db =>
        (IReadOnlyList<string>)LeavesIn(db, from, count).Select(d => d["hash"].AsString).ToList(), ct);

    public Task<AnchorLeafRow?> LeafAsync(ChainId chain, long seq, CancellationToken ct) => Read(db =>
        db.GetCollection(LiteDbAnchorMapping.Leaves).FindOne(LiteDbQuery.Eq("key", LiteDbMapping.RecordId(chain, seq))) is { } d ? LiteDbAnchorMapping.ToLeaf(d) : null, ct);

    // The chain's leaves by key (gw|lane|epoch|seq, the seq zero-padded), highest seq first: past the few an
    // anchor has not taken yet or a later anchor holds, to the first one below.
    public Task<AnchorLeafRow?> LatestLeafBelowAsync(ChainId chain, long below, CancellationToken ct) => Read(db =>
        db.GetCollection(LiteDbAnchorMapping.Leaves).Query()
            .Where(LiteDbQuery.Between("key", LiteDbMapping.RecordId(chain, 0), LiteDbMapping.RecordId(chain, long.MaxValue)))
            .OrderByDescending("key")
            .ToEnumerable()
            .Select(LiteDbAnchorMapping.ToLeaf)
            .FirstOrDefault(l => l.Position < below), ct);

    public Task<IReadOnlyList<AuditLeaf>> AuditLeavesAsync(long from, long count, CancellationToken ct) => Read(db =>
    {
        var records = db.GetCollection(LiteDbMapping.Records);
        return (IReadOnlyList<AuditLeaf>)LeavesIn(db, from, count).Select(d =>
        {
            var leaf = LiteDbAnchorMapping.ToLeaf(d);
            var record = records.FindById(d["key"].AsString);
            return new AuditLeaf(leaf.Position!.Value, leaf.Chain, leaf.Seq, leaf.Hash, record?["payload"].AsBinary);
        }).ToList();
    }, ct);

    public Task<IReadOnlyList<RecordRow>> ThroughCheckpointAsync(ChainId chain, long seq, int limit, CancellationToken ct) => Read(db =>
    {
        var list = new List<RecordRow>();
        foreach (var d in db.GetCollection(LiteDbMapping.Records).Find(LiteDbRecordQuery.Records(chain, seq, long.MaxValue)))
        {
            var r = LiteDbMapping.ToRecord(d);
            list.Add(r);
            if (r.Kind == RecordKinds.Checkpoint || list.Count >= limit)
            {
                return (IReadOnlyList<RecordRow>)list;
            }
        }

        // No checkpoint at or above seq: nothing covers it yet.
        return [];
    }, ct);

    public Task AddAlertAsync(AlertRow alert, CancellationToken ct) => Transact(db =>
    {
        db.GetCollection(LiteDbMapping.Alerts, BsonAutoId.Int64).Insert(LiteDbMapping.FromAlert(alert));
        return true;
    }, ct);

    private static AnchorRow? LastAnchor(LiteDatabase db) =>
        db.GetCollection(LiteDbAnchorMapping.Anchors).Find(Query.All(Query.Descending), limit: 1).Select(LiteDbAnchorMapping.ToAnchor).FirstOrDefault();

    private static IEnumerable<BsonDocument> LeavesIn(LiteDatabase db, long from, long count) =>
        db.GetCollection(LiteDbAnchorMapping.Leaves).Find(LiteDbQuery.Within("position", from, from + count)).OrderBy(d => d["position"].AsInt64);

    /// <summary>One transaction outside a batch, on disk when it returns.</summary>
    private Task<T> Transact<T>(Func<LiteDatabase, T> work, CancellationToken ct) => TransactAsync(db => Task.FromResult(work(db)), ct);
}
