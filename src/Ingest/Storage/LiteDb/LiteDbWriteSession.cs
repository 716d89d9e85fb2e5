namespace EdgeTwin.Ingest.Storage.LiteDb;

using EdgeTwin.Outbox;
using LiteDB;

/// <summary>One transaction on the LiteDB store; the store's gate already excludes other writers.</summary>
internal sealed class LiteDbWriteSession : IWriteSession
{
    private static readonly BsonExpression IdOnly = BsonExpression.Create("$._id");
    private static readonly BsonExpression SeqAndHash = BsonExpression.Create("{ seq: $.seq, hash: $.hash }");

    private readonly LiteDatabase _db;
    private readonly LockedChains _chains = new();

    /// <summary>Records <see cref="PrepareAsync"/> found not stored and not inserted since.</summary>
    private readonly HashSet<(ChainId Chain, long Seq)> _absent = [];

    public LiteDbWriteSession(LiteDatabase db, IReadOnlyCollection<ChainId> chains, Func<ChainId, string> siteOf)
    {
        _db = db;
        var col = db.GetCollection(LiteDbMapping.Chains);
        foreach (var id in chains.Distinct())
        {
            var doc = col.FindById(LiteDbMapping.ChainKey(id));
            _chains.Loaded(doc is null ? ChainRow.Fresh(id, siteOf(id), DateTimeOffset.UnixEpoch) : LiteDbMapping.ToChain(doc), isNew: doc is null);
        }
    }

    public ChainRow Chain(ChainId id) => _chains.Get(id);

    public void SetChain(ChainRow row) => _chains.Set(row);

    /// <summary>
    /// Which of the batch's records are stored already: one read of the id index per chain (the ids of
    /// the seqs between the batch's lowest and highest), in place of a look-up per record (a fifth of
    /// the ingest's CPU on LiteDB). The store's gate keeps the answer true for the transaction.
    /// </summary>
    public Task PrepareAsync(IReadOnlyCollection<(ChainId Chain, long Seq)> keys, IReadOnlyCollection<string> gateways)
    {
        var col = _db.GetCollection(LiteDbMapping.Records);
        foreach (var chain in keys.Where(k => _chains.Has(k.Chain)).GroupBy(k => k.Chain))
        {
            var from = chain.Min(k => k.Seq);
            var to = chain.Max(k => k.Seq);

            // A range much wider than the batch's seqs (a record far ahead of the rest, or a seq anyone
            // may publish) would read every stored id between: those records are looked up one by one.
            if (to - from >= (4L * chain.Count()) + 256)
            {
                continue;
            }

            var stored = StoredIds(col, chain.Key, from, to);
            foreach (var (id, seq) in chain)
            {
                if (!stored.Contains(LiteDbMapping.RecordId(id, seq)))
                {
                    _absent.Add((id, seq));
                }
            }
        }

        return Task.CompletedTask;
    }

    public Task<bool> TryInsertRecordAsync(RecordRow record)
    {
        var col = _db.GetCollection(LiteDbMapping.Records);
        if (!_absent.Remove((record.Chain, record.Seq)) && StoredIds(col, record.Chain, record.Seq, record.Seq).Count > 0)
        {
            return Task.FromResult(false);
        }

        col.Insert(LiteDbMapping.FromRecord(record));
        return Task.FromResult(true);
    }

    /// <summary>The stored record ids of a chain with seq in [from, to], read from the id index alone (no document is read).</summary>
    private static HashSet<string> StoredIds(ILiteCollection<BsonDocument> col, ChainId chain, long from, long to)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        using var reader = col.Query().Where(LiteDbRecordQuery.Records(chain, from, to)).Select(IdOnly).ExecuteReader();
        while (reader.Read())
        {
            var value = reader.Current;
            ids.Add((value.IsDocument ? value.AsDocument["_id"] : value).AsString);
        }

        return ids;
    }

    public Task<IReadOnlyList<RecordRow>> RecordsAsync(ChainId chain, long fromSeq, long toSeq) =>
        Task.FromResult((IReadOnlyList<RecordRow>)_db.GetCollection(LiteDbMapping.Records)
            .Find(LiteDbRecordQuery.Records(chain, fromSeq, toSeq))
            .Select(LiteDbMapping.ToRecord).OrderBy(r => r.Seq).ToList());

    public Task AddEvidenceAsync(EvidenceRow evidence)
    {
        _db.GetCollection(LiteDbMapping.Evidence, BsonAutoId.Int64).Insert(LiteDbMapping.FromEvidence(EvidencePayload.Keep(evidence)));
        return Task.CompletedTask;
    }

    /// <summary>Reads only the two fields of each document (LiteDB skips the payload and the rest).</summary>
    public Task<IReadOnlyDictionary<long, string>> StoredHashesAsync(ChainId chain, long fromSeq, long toSeq) =>
        Task.FromResult((IReadOnlyDictionary<long, string>)_db.GetCollection(LiteDbMapping.Records).Query()
            .Where(LiteDbRecordQuery.Records(chain, fromSeq, toSeq)).Select(SeqAndHash).ToDocuments()
            .ToDictionary(d => d["seq"].AsInt64, d => d["hash"].AsString));

    /// <summary>Nothing to gain: a look-up is a read of the local file, no round trip.</summary>
    public Task PrefetchStoredHashesAsync(IReadOnlyCollection<(ChainId Chain, long FromSeq, long ToSeq)> ranges) => Task.CompletedTask;

    public Task<EvidenceRow?> FindVariantAsync(ChainId chain, long seq, string hash)
    {
        var doc = _db.GetCollection(LiteDbMapping.Evidence).Find(LiteDbQuery.Eq("hash", hash))
            .Where(d => d["gw"] == chain.Gw && d["lane"] == chain.Lane && d["epoch"] == chain.Epoch && d["seq"] == seq)
            .Select(LiteDbMapping.ToEvidence).FirstOrDefault(EvidencePayload.IsWhole);
        return Task.FromResult(doc);
    }

    public Task ReplaceRecordAsync(RecordRow record)
    {
        _absent.Remove((record.Chain, record.Seq));
        _db.GetCollection(LiteDbMapping.Records).Upsert(LiteDbMapping.FromRecord(record));
        return Task.CompletedTask;
    }

    public Task DeleteRecordAsync(ChainId chain, long seq)
    {
        _db.GetCollection(LiteDbMapping.Records).Delete(LiteDbMapping.RecordId(chain, seq));
        return Task.CompletedTask;
    }

    public Task DeleteRecordsAsync(ChainId chain)
    {
        _absent.RemoveWhere(k => k.Chain == chain);
        _db.GetCollection(LiteDbMapping.Records).DeleteMany(LiteDbRecordQuery.Records(chain, 0, long.MaxValue));
        return Task.CompletedTask;
    }

    public Task AddAlertAsync(AlertRow alert)
    {
        _db.GetCollection(LiteDbMapping.Alerts, BsonAutoId.Int64).Insert(LiteDbMapping.FromAlert(alert));
        return Task.CompletedTask;
    }

    public Task AddAnchorLeavesAsync(ChainId chain, long fromSeq, long toSeq)
    {
        var leaves = _db.GetCollection(LiteDbAnchorMapping.Leaves, BsonAutoId.Int64);
        var checkpoints = _db.GetCollection(LiteDbMapping.Records)
            .Find(LiteDbRecordQuery.Records(chain, fromSeq, toSeq))
            .Select(LiteDbMapping.ToRecord).Where(r => r.Kind == EdgeTwin.Telemetry.Records.RecordKinds.Checkpoint).OrderBy(r => r.Seq);
        foreach (var r in checkpoints)
        {
            if (leaves.FindOne(LiteDbQuery.Eq("key", LiteDbMapping.RecordId(chain, r.Seq))) is null)
            {
                leaves.Insert(LiteDbAnchorMapping.FromLeaf(new Anchoring.AnchorLeafRow(chain, r.Seq, r.Hash, null)));
            }
        }

        return Task.CompletedTask;
    }

    public Task<GatewayRow?> GatewayAsync(string gw)
    {
        var doc = _db.GetCollection(LiteDbMapping.Gateways).FindById(gw);
        return Task.FromResult(doc is null ? null : LiteDbMapping.ToGateway(doc));
    }

    public Task SetGatewayAsync(GatewayRow row)
    {
        _db.GetCollection(LiteDbMapping.Gateways).Upsert(LiteDbMapping.FromGateway(row));
        return Task.CompletedTask;
    }

    public Task<AcmAlertRow?> OpenAcmAlertAsync(string gw, string key)
    {
        var doc = _db.GetCollection(LiteDbAcmMapping.Alerts).FindOne(LiteDbQuery.Eq("gwKey", LiteDbAcmMapping.GwKey(gw, key)));
        return Task.FromResult(doc is null ? null : LiteDbAcmMapping.ToAlert(doc));
    }

    public Task SetAcmAlertAsync(AcmAlertRow row)
    {
        _db.GetCollection(LiteDbAcmMapping.Alerts).Upsert(LiteDbAcmMapping.FromAlert(row));
        return Task.CompletedTask;
    }

    public Task EnqueueAcmAsync(AcmMessageRow row)
    {
        var col = _db.GetCollection(LiteDbAcmMapping.Messages, BsonAutoId.Int64);
        if (!col.Find(LiteDbQuery.Eq("controlId", row.ControlId)).Any(d => d["manager"] == row.Manager))
        {
            col.Insert(LiteDbAcmMapping.FromMessage(row with { Id = 0 }));
        }

        return Task.CompletedTask;
    }

    public void Flush()
    {
        var col = _db.GetCollection(LiteDbMapping.Chains);
        foreach (var row in _chains.Dirty)
        {
            col.Upsert(LiteDbMapping.FromChain(row));
        }
    }
}
