namespace EdgeTwin.Ingest.Storage.LiteDb;

using EdgeTwin.Telemetry.Records;
using LiteDB;

/// <summary>
/// The embedded backend for one worker. LiteDB 5.0.21 never fsyncs a commit (LiteDB issue #2818),
/// so this store owns the data and log file streams: after each transaction it checkpoints and
/// calls <see cref="FileStream.Flush(bool)"/> with <c>true</c> on both, and only then returns, so a
/// receipt never runs ahead of the disk. One worker only: the lock is in-process.
/// </summary>
internal sealed partial class LiteDbIngestStore : IIngestStore, IAlarmOutStore
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly string _directory;
    private FileStream? _data;
    private FileStream? _log;
    private LiteDatabase? _db;

    public LiteDbIngestStore(string directory) => _directory = directory;

    public string Backend => "litedb";

    /// <summary>How many times the files were forced to disk (tests assert the receipt rule with it).</summary>
    public long DiskSyncs { get; private set; }

    internal LiteDatabase Db => _db ?? throw new InvalidOperationException("The LiteDB store is not initialised.");

    public Task InitializeAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(_directory);
        _data = Open(Path.Combine(_directory, "ingest.db"));
        _log = Open(Path.Combine(_directory, "ingest-log.db"));
        _db = new LiteDatabase(_data, LiteDbMapping.Mapper, _log);
        LiteDbMapping.EnsureIndexes(_db);
        LiteDbAnchorMapping.EnsureIndexes(_db);
        LiteDbAcmMapping.EnsureIndexes(_db);
        return Task.CompletedTask;
    }

    public Task<T> WriteAsync<T>(IReadOnlyCollection<ChainId> chains, string site, Func<IWriteSession, Task<T>> work, CancellationToken ct) =>
        TransactAsync(
            async db =>
            {
                var session = new LiteDbWriteSession(db, chains, site);
                var result = await work(session).ConfigureAwait(false);
                session.Flush();
                return result;
            },
            ct);

    public Task<IReadOnlyList<ChainRow>> ChainsAsync(string? gw, CancellationToken ct) => Read(db =>
    {
        var col = db.GetCollection(LiteDbMapping.Chains);
        var docs = gw is null ? col.FindAll() : col.Find(Query.EQ("gw", gw));
        return (IReadOnlyList<ChainRow>)docs.Select(LiteDbMapping.ToChain).OrderBy(c => c.Id).ToList();
    }, ct);

    public Task<GatewayRow?> GatewayAsync(string gw, CancellationToken ct) => Read(db =>
    {
        var doc = db.GetCollection(LiteDbMapping.Gateways).FindById(gw);
        return doc is null ? null : LiteDbMapping.ToGateway(doc);
    }, ct);

    public Task<IReadOnlyList<GatewayRow>> GatewaysAsync(CancellationToken ct) => Read(db =>
        (IReadOnlyList<GatewayRow>)db.GetCollection(LiteDbMapping.Gateways).FindAll().Select(LiteDbMapping.ToGateway).OrderBy(g => g.Gw, StringComparer.Ordinal).ToList(), ct);

    public Task<IReadOnlyList<RecordRow>> VerifiedRecordsAsync(RecordQuery query, CancellationToken ct) => Read(db =>
    {
        var verified = db.GetCollection(LiteDbMapping.Chains).FindAll().Select(LiteDbMapping.ToChain).ToDictionary(c => c.Id, c => c.VerifiedThrough);
        var col = db.GetCollection(LiteDbMapping.Records);
        var docs = query.Patient is not null ? col.Find(Query.EQ("patient", query.Patient))
            : query.Gw is not null ? col.Find(Query.EQ("gw", query.Gw))
            : col.FindAll();
        var rows = docs.Select(LiteDbMapping.ToRecord)
            .Where(r => verified.TryGetValue(r.Chain, out var through) && r.Seq <= through)
            .Where(r => query.Gw is null || r.Chain.Gw == query.Gw)
            .Where(r => query.Kind is null || r.Kind == query.Kind)
            .Where(r => query.Since is null || (r.Ts is { } ts && ts >= query.Since))
            .OrderBy(r => r.Chain).ThenBy(r => r.Seq)
            .ToList();
        return (IReadOnlyList<RecordRow>)(rows.Count > query.Limit ? rows[^query.Limit..] : rows);
    }, ct);

    public Task<IReadOnlyList<RecordRow>> CheckpointsAsync(ChainId chain, long fromSeq, long toSeq, CancellationToken ct) => Read(db =>
        (IReadOnlyList<RecordRow>)db.GetCollection(LiteDbMapping.Records)
            .Find(Query.Between("_id", LiteDbMapping.RecordId(chain, fromSeq), LiteDbMapping.RecordId(chain, toSeq)))
            .Select(LiteDbMapping.ToRecord).Where(r => r.Kind == RecordKinds.Checkpoint).OrderBy(r => r.Seq).ToList(), ct);

    public Task<IReadOnlyList<AlertRow>> AlertsAsync(long afterId, int limit, CancellationToken ct) => Read(db =>
        (IReadOnlyList<AlertRow>)db.GetCollection(LiteDbMapping.Alerts).Find(Query.GT("_id", afterId)).Select(LiteDbMapping.ToAlert).OrderBy(a => a.Id).Take(limit).ToList(), ct);

    public Task<IReadOnlyList<EvidenceRow>> EvidenceAsync(int limit, CancellationToken ct) => Read(db =>
        (IReadOnlyList<EvidenceRow>)db.GetCollection(LiteDbMapping.Evidence).FindAll().Select(LiteDbMapping.ToEvidence).OrderBy(e => e.Id).Take(limit).ToList(), ct);

    public Task<long> RecordCountAsync(CancellationToken ct) => Read(db => db.GetCollection(LiteDbMapping.Records).LongCount(), ct);

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_db is not null)
            {
                _db.Checkpoint();
                _db.Dispose();
                _db = null;
            }

            if (_data is not null)
            {
                await _data.DisposeAsync().ConfigureAwait(false);
            }

            if (_log is not null)
            {
                await _log.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }

        _gate.Dispose();
    }

    private static FileStream Open(string path) =>
        new(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 8192, FileOptions.RandomAccess);

    private void SyncToDisk()
    {
        // Checkpoint waits for LiteDB's background disk writer and moves the log into the data
        // file; then both files are forced past the OS cache.
        Db.Checkpoint();
        _data!.Flush(flushToDisk: true);
        _log!.Flush(flushToDisk: true);
        DiskSyncs++;
    }

    /// <summary>One transaction, committed and forced to disk before it returns; rolled back when <paramref name="work"/> throws.</summary>
    private async Task<T> TransactAsync<T>(Func<LiteDatabase, Task<T>> work, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var db = Db;
            if (!db.BeginTrans())
            {
                throw new InvalidOperationException("A LiteDB transaction is already open on this thread.");
            }

            T result;
            try
            {
                result = await work(db).ConfigureAwait(false);
                db.Commit();
            }
            catch
            {
                db.Rollback();
                throw;
            }

            SyncToDisk();
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<T> Read<T>(Func<LiteDatabase, T> read, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return read(Db);
        }
        finally
        {
            _gate.Release();
        }
    }
}
