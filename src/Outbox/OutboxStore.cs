namespace EdgeTwin.Outbox;

using EdgeTwin.Outbox.Durability;
using EdgeTwin.Outbox.Encryption;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using LiteDB;

/// <summary>
/// Where a record becomes durable. Records and the chain head they lead to are written in one
/// LiteDB transaction; <see cref="Commit"/> returns only after the transaction is on disk (LiteDB
/// checkpoint over <see cref="SyncedFileStream"/>s, see there), and nothing is published before.
/// Only the <c>_id</c> index exists (LiteDB #2827): <c>_id</c> = lane &lt;&lt; 48 | seq, so a lane is a
/// contiguous, ordered key range. Thread-safe: every access takes one lock, because LiteDB shares
/// a caller-supplied stream between its readers and a race there reads a wrong page (seen as
/// "page type must be collection page" after a restart with a backlog).
/// </summary>
public sealed class OutboxStore : IDisposable
{
    public const string DataFileName = "outbox.db";
    public const string LogFileName = "outbox-log.db";
    private const long MaxSeq = (1L << 48) - 1;

    private readonly Dictionary<Lane, ChainState> _heads = [];
    private readonly Dictionary<Lane, LaneUsage> _usage = [];
    private readonly Dictionary<Lane, LaneCounts> _counts = [];
    private readonly Dictionary<Lane, IReadOnlyList<(long From, long To)>> _published = [];
    private readonly Lock _gate = new();
    private readonly string? _password;
    private Stream _data;
    private Stream _log;
    private LiteDatabase _db;
    private ILiteCollection<BsonDocument> _records;
    private ILiteCollection<BsonDocument> _lanes;
    private IOutboxFiles? _files;
    private bool _closed;
    private bool _created = true;

    private OutboxStore(Stream data, Stream log, string? password, bool readOnly)
    {
        _password = password;
        _data = data;
        _log = log;
        _db = StoreEncryption.OpenDatabase(data, log, password, readOnly);
        _records = _db.GetCollection("records", BsonAutoId.Int64);
        _lanes = _db.GetCollection("lanes", BsonAutoId.Int32);
        LoadLanes();
    }

    /// <summary>A store whose files are not created yet (see <see cref="NotCreated"/>).</summary>
    private OutboxStore(string directory, IOutboxFiles files, string password)
    {
        Directory = directory;
        _files = files;
        _password = password;
        _created = false;
        _closed = true;
        _data = null!;
        _log = null!;
        _db = null!;
        _records = null!;
        _lanes = null!;
    }

    /// <summary>
    /// A new store not created yet: a first start on a full disk, or before the key it is encrypted
    /// with is on disk. It holds nothing and takes no commit (<see cref="OutboxUnavailableException"/>)
    /// until <see cref="TryReopen"/> creates its files.
    /// </summary>
    public static OutboxStore NotCreated(string directory, IOutboxFiles files, string password)
    {
        DiscardPartial(directory);
        return new OutboxStore(directory, files, password);
    }

    /// <summary>Removes what a creation cut short by a full disk left behind (a new store holds nothing yet).</summary>
    private static void DiscardPartial(string directory)
    {
        StorageFaults.Quietly(() => File.Delete(Path.Combine(directory, DataFileName)));
        StorageFaults.Quietly(() => File.Delete(Path.Combine(directory, LogFileName)));
    }

    /// <summary>Reads the lanes' heads and usage from the open database and checks them against its records.</summary>
    private void LoadLanes()
    {
        _heads.Clear();
        _usage.Clear();
        _counts.Clear();
        _published.Clear();
        foreach (var doc in _lanes.FindAll())
        {
            var (state, usage) = ReadLane(doc);
            _heads[state.Lane] = state;
            _usage[state.Lane] = usage;
            _counts[state.Lane] = ReadCounts(doc, state);
            _published[state.Lane] = ReadPublished(doc);
        }

        // Cross-check: a head must not be behind a stored record (that would re-use seqs).
        foreach (var (lane, head) in _heads)
        {
            var last = _records.Find(LaneRange(lane, head.Seq + 1, MaxSeq), 0, 1).FirstOrDefault();
            if (last is not null)
            {
                throw new InvalidDataException($"lane {lane} holds record {last["_id"].AsInt64 & MaxSeq} beyond its head {head.Seq}");
            }
        }
    }

    public string Directory { get; private init; } = "";

    /// <summary>How many documents were copied from a plain store encrypted at this open (null: none was).</summary>
    public long? EncryptedDocuments { get; private init; }

    /// <summary>Opens (or creates) the store, encrypted with <paramref name="password"/>; a plain store
    /// written before encryption at rest is encrypted first (<see cref="StoreEncryption"/>).
    /// <see cref="IOException"/>: files cannot be opened (locked, permissions);
    /// <see cref="OutboxCorruptException"/>: they open but do not hold a consistent store;
    /// <see cref="WrongStorageKeyException"/>: they are encrypted with another key (left untouched).</summary>
    public static OutboxStore Open(string directory, IOutboxFiles files, string password)
    {
        System.IO.Directory.CreateDirectory(directory);
        var dataPath = Path.Combine(directory, DataFileName);
        var logPath = Path.Combine(directory, LogFileName);

        // Check an existing store read-only first: LiteDB may rewrite a file it fails to open, and a
        // store to be quarantined must keep its bytes exactly as found.
        long? encrypted = null;
        if (File.Exists(dataPath) && new FileInfo(dataPath).Length > 0)
        {
            OpenReadOnly(directory, password).Dispose();
            if (StoreEncryption.IsPlain(dataPath))
            {
                encrypted = StoreEncryption.EncryptAtStartup(dataPath, logPath, password, files);
            }
        }

        StoreEncryption.DiscardUnfinished(dataPath, logPath);
        var dataStream = files.Open(dataPath);
        Stream? logStream = null;
        try
        {
            logStream = files.Open(logPath);
            var d = dataStream;
            var l = logStream;
            return OpenChecked(directory, dataPath, () => new OutboxStore(d, l, password, readOnly: false) { Directory = directory, EncryptedDocuments = encrypted, _files = files });
        }
        catch
        {
            logStream?.Dispose();
            dataStream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens an existing store read-only for inspection (<c>edgetwin outbox</c>), changing nothing:
    /// <paramref name="password"/> for an encrypted store, ignored for a plain one. Fails with an
    /// <see cref="IOException"/> while a gateway holds the store (its files are locked exclusively),
    /// <see cref="FileNotFoundException"/> when there is none, <see cref="WrongStorageKeyException"/>
    /// for another key, <see cref="OutboxCorruptException"/> when it does not read.
    /// </summary>
    public static OutboxStore OpenReadOnly(string directory, string password)
    {
        var dataPath = Path.Combine(directory, DataFileName);
        var logPath = Path.Combine(directory, LogFileName);
        if (!File.Exists(dataPath) || new FileInfo(dataPath).Length == 0)
        {
            throw new FileNotFoundException($"no outbox in '{directory}' ({DataFileName} is missing or empty)", dataPath);
        }

        var plain = StoreEncryption.IsPlain(dataPath);
        var data = new FileStream(dataPath, FileMode.Open, FileAccess.Read, FileShare.Read);
        Stream? log = null;
        try
        {
            log = File.Exists(logPath) ? new FileStream(logPath, FileMode.Open, FileAccess.Read, FileShare.Read) : new MemoryStream();
            var l = log;
            return OpenChecked(directory, dataPath, () => new OutboxStore(data, l, plain ? null : password, readOnly: true) { Directory = directory });
        }
        catch
        {
            log?.Dispose();
            data.Dispose();
            throw;
        }
    }

    /// <summary>Tests only: the store as written before encryption at rest (plain), to test its migration.</summary>
    internal static OutboxStore OpenPlain(string directory, IOutboxFiles files) =>
        new(files.Open(Path.Combine(directory, DataFileName)), files.Open(Path.Combine(directory, LogFileName)), password: null, readOnly: false) { Directory = directory };

    private static OutboxStore OpenChecked(string directory, string dataPath, Func<OutboxStore> open)
    {
        try
        {
            return open();
        }
        catch (LiteException ex) when (StoreEncryption.IsWrongKey(ex))
        {
            throw new WrongStorageKeyException(dataPath, ex);
        }
        catch (Exception ex) when (ex is LiteException or InvalidDataException or InvalidCastException or
                                       KeyNotFoundException or ArgumentException or IndexOutOfRangeException or
                                       NullReferenceException or FormatException or InvalidOperationException or
                                       OverflowException or EndOfStreamException or NotSupportedException)
        {
            throw new OutboxCorruptException($"outbox in '{directory}' cannot be read: {ex.Message}", ex);
        }
    }

    public IReadOnlyDictionary<Lane, ChainState> Heads
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<Lane, ChainState>(_heads);
            }
        }
    }

    /// <summary>
    /// The seqs of a lane its writer said were handed to the broker (<see cref="OutboxBatch.Published"/>),
    /// as committed last: after a restart, which records the cloud may hold already.
    /// </summary>
    public IReadOnlyList<(long From, long To)> Published(Lane lane)
    {
        lock (_gate)
        {
            return _published.GetValueOrDefault(lane) ?? [];
        }
    }

    /// <summary>The lane's chain as committed: its obs records and samples (<see cref="LaneCounts"/>); null when the lane has no chain yet.</summary>
    public LaneCounts? Counts(Lane lane)
    {
        lock (_gate)
        {
            return _counts.TryGetValue(lane, out var counts) ? counts : null;
        }
    }

    public LaneUsage Usage(Lane lane)
    {
        lock (_gate)
        {
            return _usage.GetValueOrDefault(lane);
        }
    }

    /// <summary>
    /// Writes the batch in one transaction and returns when it is on disk. Every record and head is
    /// written; deletions stop at <see cref="OutboxBatch.DeleteBudget"/> or as soon as
    /// <paramref name="yieldDeletes"/> says so (asked every <see cref="YieldEvery"/> deletions: an
    /// alarm is waiting for this commit to end), and the batch says how far they got.
    /// </summary>
    public void Commit(OutboxBatch batch, Func<bool>? yieldDeletes = null)
    {
        if (batch.IsEmpty)
        {
            return;
        }

        lock (_gate)
        {
            if (_closed)
            {
                throw new OutboxUnavailableException(_created
                    ? "the outbox is closed after a failed write; reopen it first"
                    : "the outbox is not created yet: no room for it on a full disk (or for the keys a first start writes before it)");
            }

            try
            {
                CommitLocked(batch, yieldDeletes);
            }
            catch (Exception ex) when (StorageFaults.IsOutOfSpace(ex))
            {
                // LiteDB closes its engine after a failed write; what reached the files is sorted out by
                // reopening them (its recovery keeps only whole transactions), see TryReopen.
                CloseAfterFailure();

                // Whether it reached the disk is known only after the reopen: every deletion goes back to
                // the requests (deleting a record twice is harmless, forgetting a deletion is not).
                batch.DeletesApplied = 0;
                foreach (var (lane, through) in batch.DeleteThrough)
                {
                    batch.DeleteThroughLeft[lane] = through;
                }

                throw new OutboxUnavailableException($"the outbox could not be written: {ex.Message}", ex);
            }
        }
    }

    /// <summary>Whether the store is closed after a failed write (<see cref="TryReopen"/> opens it again).</summary>
    public bool IsClosed
    {
        get
        {
            lock (_gate)
            {
                return _closed;
            }
        }
    }

    /// <summary>
    /// Opens the files again after a failed write, as a restart would: LiteDB's recovery keeps the
    /// transactions whose commit reached the log and drops a torn one; heads and usage are read
    /// anew, so <see cref="Heads"/> says whether the failed commit made it after all. False (and the
    /// store stays closed) while the files still cannot be opened, e.g. the disk is still full. A
    /// store <see cref="NotCreated"/> is created here (and what a failed try left is removed).
    /// </summary>
    public bool TryReopen(out Exception? error)
    {
        lock (_gate)
        {
            error = null;
            if (!_closed)
            {
                return true;
            }

            var files = _files ?? SyncedOutboxFiles.Instance;
            Stream? data = null;
            Stream? log = null;
            try
            {
                data = files.Open(Path.Combine(Directory, DataFileName));
                log = files.Open(Path.Combine(Directory, LogFileName));
                var db = StoreEncryption.OpenDatabase(data, log, _password, readOnly: false);
                _db = db;
                _data = data;
                _log = log;
                _records = _db.GetCollection("records", BsonAutoId.Int64);
                _lanes = _db.GetCollection("lanes", BsonAutoId.Int32);
                LoadLanes();
                _closed = false;
                _created = true;
                return true;
            }
            catch (Exception ex) when (ex is IOException or LiteException or UnauthorizedAccessException or InvalidDataException)
            {
                error = ex;
                StorageFaults.Quietly(() => log?.Dispose());
                StorageFaults.Quietly(() => data?.Dispose());
                if (!_created)
                {
                    DiscardPartial(Directory);
                }

                return false;
            }
        }
    }

    private void CloseAfterFailure()
    {
        _closed = true;
        StorageFaults.CloseQuietly(_db, _log, _data);
    }


    private void CommitLocked(OutboxBatch batch, Func<bool>? yieldDeletes)
    {
        var usage = new Dictionary<Lane, LaneUsage>(_usage);
        var counts = new Dictionary<Lane, LaneCounts>(_counts);
        var deletions = new Deletions(batch.DeleteBudget, yieldDeletes);
        Dictionary<Lane, ChainState> heads;
        batch.DeleteThroughLeft.Clear();
        _db.BeginTrans();
        try
        {
            foreach (var record in batch.Records)
            {
                _records.Insert(ToDocument(record));
                var u = usage.GetValueOrDefault(record.Lane);
                usage[record.Lane] = new LaneUsage(u.Records + 1, u.Bytes + record.Payload.Length);
                counts[record.Lane] = CountsBefore(counts, record).Add(record);
            }

            foreach (var (lane, through) in batch.DeleteThrough)
            {
                if (!DeleteThrough(lane, through, deletions, usage))
                {
                    batch.DeleteThroughLeft[lane] = through;
                }
            }

            var applied = 0;
            while (applied < batch.Delete.Count && deletions.MayGoOn())
            {
                var (lane, seq, bytes) = batch.Delete[applied++];
                deletions.Count();
                if (_records.Delete(Key(lane, seq)))
                {
                    var u = usage.GetValueOrDefault(lane);
                    usage[lane] = new LaneUsage(u.Records - 1, u.Bytes - bytes);
                }

                // else: already gone (receipted or evicted meanwhile, or PUBACKed twice across a reconnect)
            }

            batch.DeletesApplied = applied;
            heads = new Dictionary<Lane, ChainState>(_heads);
            foreach (var (lane, head) in batch.Heads)
            {
                heads[lane] = head;
            }

            foreach (var lane in usage.Keys.Union(batch.Heads.Keys).Union(batch.Published.Keys))
            {
                if (heads.TryGetValue(lane, out var head))
                {
                    var published = batch.Published.TryGetValue(lane, out var p) ? p : _published.GetValueOrDefault(lane) ?? [];
                    var c = counts.TryGetValue(lane, out var counted) && counted.Epoch == head.Epoch ? counted : Uncounted(head);
                    counts[lane] = c;
                    _lanes.Upsert(WriteLane(head, usage.GetValueOrDefault(lane), published, c));
                }
            }

            _db.Commit();
        }
        catch
        {
            batch.DeletesApplied = 0;
            StorageFaults.Quietly(() => _db.Rollback());
            throw;
        }

        // Commit() only wrote the log pages, unflushed; the checkpoint copies them into the data
        // file and flushes it (fsync through SyncedFileStream), then the truncated log (see there).
        DurableCheckpoint.Run(_db, _log);

        // Only now is the commit durable: what this store says it holds (Counts, Heads: /status, the
        // whole-system accounting) must never be more than a power cut leaves. A checkpoint that threw
        // leaves them as they were; the store is reopened (LoadLanes) or the gateway stops.
        foreach (var (lane, c) in counts)
        {
            _counts[lane] = c;
        }

        foreach (var (lane, head) in heads)
        {
            _heads[lane] = head;
        }

        foreach (var (lane, u) in usage)
        {
            _usage[lane] = u;
        }

        foreach (var (lane, published) in batch.Published)
        {
            if (heads.ContainsKey(lane))
            {
                _published[lane] = [.. published];
            }
        }
    }

    /// <summary>How many deletions pass between two questions to the commit's yield callback.</summary>
    internal const int YieldEvery = 32;

    /// <summary>A receipt: the lane's records up to <paramref name="through"/>, oldest first, in chunks. True when none is left.</summary>
    private bool DeleteThrough(Lane lane, long through, Deletions deletions, Dictionary<Lane, LaneUsage> usage)
    {
        var range = LaneRange(lane, 0, Math.Min(through, MaxSeq));
        while (deletions.MayGoOn())
        {
            var chunk = _records.Find(range, 0, YieldEvery).ToList();
            long bytes = 0;
            foreach (var doc in chunk)
            {
                bytes += doc["p"].AsBinary.Length;
                _records.Delete(doc["_id"]);
                deletions.Count();
            }

            var u = usage.GetValueOrDefault(lane);
            usage[lane] = new LaneUsage(u.Records - chunk.Count, u.Bytes - bytes);
            if (chunk.Count < YieldEvery)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Records of a lane with seq in [from, to], ascending, at most <paramref name="max"/> (none while the store is closed).</summary>
    public List<StoredRecord> Read(Lane lane, long from, long to, int max)
    {
        TryRead(lane, from, to, max, out var records);
        return records;
    }

    /// <summary>
    /// <see cref="Read"/>, saying whether the store could be read: false (and no records) while it is
    /// closed after a failed write, where an empty answer would look like a range that holds nothing.
    /// </summary>
    public bool TryRead(Lane lane, long from, long to, int max, out List<StoredRecord> records)
    {
        records = [];
        if (to < from)
        {
            return true;
        }

        lock (_gate)
        {
            if (_closed)
            {
                return false;
            }

            foreach (var doc in _records.Find(LaneRange(lane, Math.Max(0, from), Math.Min(to, MaxSeq)), 0, max))
            {
                records.Add(FromDocument(doc));
            }
        }

        return true;
    }

    /// <summary>Lowest seq the lane still holds, or null when it holds none.</summary>
    public long? MinSeq(Lane lane)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return null;
            }

            var first = _records.Find(LaneRange(lane, 0, MaxSeq), 0, 1).FirstOrDefault();
            return first is null ? null : first["_id"].AsInt64 & MaxSeq;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            StorageFaults.CloseQuietly(_db, _log, _data);
        }
    }

    private static long Key(Lane lane, long seq) => ((long)lane << 48) | seq;

    /// <summary>The lane's records with seq in [from, to], the bounds as parameters (<see cref="LiteDbQuery"/>).</summary>
    private static BsonExpression LaneRange(Lane lane, long from, long to) => LiteDbQuery.Between("_id", Key(lane, from), Key(lane, to));

    private static BsonDocument ToDocument(StoredRecord r) => new()
    {
        ["_id"] = Key(r.Lane, r.Seq),
        ["k"] = r.Kind,
        ["c"] = (int)r.Class,
        ["pv"] = r.Prev,
        ["h"] = r.Hash,
        ["p"] = r.Payload,
    };

    /// <summary>A row back as its chain record; the epoch is the lane's (one epoch per store). Under <c>_gate</c>.</summary>
    private StoredRecord FromDocument(BsonDocument doc)
    {
        var id = doc["_id"].AsInt64;
        var lane = (Lane)(id >> 48);
        var epoch = _heads.TryGetValue(lane, out var head) ? head.Epoch : string.Empty;
        return new StoredRecord(new ChainRecord(lane, epoch, id & MaxSeq, doc["k"].AsString, doc["pv"].AsString, doc["h"].AsString, doc["p"].AsBinary), (RecordClass)doc["c"].AsInt32);
    }

    /// <summary>
    /// The lane's counts before <paramref name="record"/>: those kept, or, for a chain the store does
    /// not count yet (a new lane, a new epoch), empty from the record's seq on.
    /// </summary>
    private static LaneCounts CountsBefore(Dictionary<Lane, LaneCounts> counts, StoredRecord record) =>
        counts.TryGetValue(record.Lane, out var c) && c.Epoch == record.Record.Epoch
            ? c
            : new LaneCounts(record.Record.Epoch, record.Seq, record.Seq - 1, 0, 0);

    /// <summary>Counts of a head whose records were not counted (written before counts were kept): from the next seq on.</summary>
    private static LaneCounts Uncounted(ChainState head) => new(head.Epoch, head.Seq + 1, head.Seq, 0, 0);

    private static BsonDocument WriteLane(ChainState s, LaneUsage u, IReadOnlyList<(long From, long To)> published, LaneCounts c) => new()
    {
        ["countedFrom"] = c.FromSeq,
        ["obsRecords"] = c.ObsRecords,
        ["samples"] = c.Samples,
        ["published"] = new BsonArray(published.Select(r => new BsonArray { r.From, r.To })),
        ["_id"] = (int)s.Lane,
        ["gw"] = s.Gw,
        ["epoch"] = s.Epoch,
        ["seq"] = s.Seq,
        ["hash"] = s.Hash,
        ["uncovered"] = s.UncoveredCount,
        ["firstUncovered"] = s.FirstUncoveredAt is { } t ? t.ToUnixTimeMilliseconds() : BsonValue.Null,
        ["key"] = s.Key is { } key ? key : BsonValue.Null,
        ["records"] = u.Records,
        ["bytes"] = u.Bytes,
    };

    /// <summary>The lane's published ranges (none in a store written before they were kept).</summary>
    private static List<(long From, long To)> ReadPublished(BsonDocument d)
    {
        if (!d.TryGetValue("published", out var value) || !value.IsArray)
        {
            return [];
        }

        var ranges = new List<(long From, long To)>();
        foreach (var item in value.AsArray)
        {
            if (item.IsArray && item.AsArray.Count == 2 && item.AsArray[0].IsNumber && item.AsArray[1].IsNumber)
            {
                ranges.Add((item.AsArray[0].AsInt64, item.AsArray[1].AsInt64));
            }
        }

        return ranges;
    }

    /// <summary>The lane's counts as committed with <paramref name="head"/>; a store written before they were kept counts from the seq after its head.</summary>
    private static LaneCounts ReadCounts(BsonDocument d, ChainState head)
    {
        if (!d.TryGetValue("samples", out var samples) || !samples.IsNumber)
        {
            return Uncounted(head);
        }

        var counts = new LaneCounts(head.Epoch, d["countedFrom"].AsInt64, head.Seq, d["obsRecords"].AsInt64, samples.AsInt64);
        if (counts.FromSeq < 0 || counts.FromSeq > head.Seq + 1 || counts.ObsRecords < 0 || counts.ObsRecords > head.Seq + 1 - counts.FromSeq || counts.Samples < 0)
        {
            throw new InvalidDataException($"lane {head.Lane} counts are malformed");
        }

        return counts;
    }

    private static (ChainState State, LaneUsage Usage) ReadLane(BsonDocument d)
    {
        var lane = (Lane)d["_id"].AsInt32;
        if (!Enum.IsDefined(lane))
        {
            throw new InvalidDataException($"unknown lane {(int)lane}");
        }

        var first = d["firstUncovered"];
        var state = new ChainState(d["gw"].AsString, lane, d["epoch"].AsString, d["seq"].AsInt64, d["hash"].AsString,
            d["uncovered"].AsInt64, first.IsNull ? null : DateTimeOffset.FromUnixTimeMilliseconds(first.AsInt64),
            d.TryGetValue("key", out var key) && key.IsString ? key.AsString : null);
        if (state.Epoch.Length != 32 || state.Hash.Length != 64 || state.Seq < 0)
        {
            throw new InvalidDataException($"lane {lane} head is malformed");
        }

        return (state, new LaneUsage(d["records"].AsInt64, d["bytes"].AsInt64));
    }
}
