namespace EdgeTwin.Ingest.Storage.LiteDb;

using EdgeTwin.Ingest.Options;
using EdgeTwin.Outbox;
using EdgeTwin.Outbox.Durability;
using EdgeTwin.Outbox.Encryption;
using EdgeTwin.Telemetry.Durability;
using EdgeTwin.Telemetry.Records;
using LiteDB;
using Microsoft.Extensions.Options;

/// <summary>
/// The embedded backend for one worker. LiteDB 5.0.21 never fsyncs a commit (LiteDB issue #2818),
/// so this store owns the data and log file streams: after each transaction it forces the log (where
/// the commit is) to disk, and only then returns, so a receipt never runs ahead of the disk; once the
/// log passes <see cref="CheckpointLogBytes"/> it moves it into the data file (which the data stream
/// syncs before LiteDB empties the log) and forces the emptied log to disk too. One worker only: the
/// lock is in-process. Encrypted at rest
/// with the storage key (<c>Ingest:StorageKeyFile</c>), like the gateway's outbox: LiteDB AES with
/// the key's password for "ingest"; a plain store of an older ingest is encrypted in place at open
/// (<see cref="StoreEncryption"/>). Its files are 0600, its directory created 0700.
/// </summary>
internal sealed partial class LiteDbIngestStore : IIngestStore, IAlarmOutStore
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    public const string DataFileName = "ingest.db";
    public const string LogFileName = "ingest-log.db";

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly string _directory;
    private readonly StorageKey _key;
    private readonly Func<string, bool, FileStream> _open;
    private FileStream? _data;
    private FileStream? _log;
    private LiteDatabase? _db;

    /// <summary>Why the store is closed (a write that failed), until the next use opens its files again.</summary>
    private Exception? _closedAfter;

    /// <summary>A store with its storage key in the default place, <c>storage.key</c> in <paramref name="directory"/> (created when missing).</summary>
    public LiteDbIngestStore(string directory)
        : this(directory, StorageKey.Open(DefaultKeyFile(directory), generateWhenMissing: true))
    {
    }

    public LiteDbIngestStore(string directory, StorageKey key)
        : this(directory, key, Open)
    {
    }

    /// <summary>Tests give <paramref name="open"/> (path, synced) a file stream that fails as a full disk does.</summary>
    internal LiteDbIngestStore(string directory, StorageKey key, Func<string, bool, FileStream> open)
    {
        _directory = directory;
        _key = key;
        _open = open;
    }

    public string Backend => "litedb";

    /// <summary>The storage key's file when <c>Ingest:StorageKeyFile</c> is not set; the directory is created (0700) first.</summary>
    public static string DefaultKeyFile(string directory)
    {
        CreateDirectory(directory);
        return Path.GetFullPath(Path.Combine(directory, "storage.key"));
    }

    private int _disposed;

    /// <summary>
    /// Log bytes after which a commit also moves the log into the data file (LiteDB's own default:
    /// 1,000 pages). A checkpoint empties LiteDB's page cache, and one after every batch made each
    /// batch read its index pages again from the file (and decrypt them).
    /// </summary>
    public const long CheckpointLogBytes = 1000 * 8192;

    /// <summary>How many commits were forced to disk (tests assert the receipt rule with it).</summary>
    public long DiskSyncs { get; private set; }

    /// <summary>How many times the log was moved into the data file.</summary>
    public long Checkpoints { get; private set; }

    /// <summary>How many times the files were opened again after a failed write closed them.</summary>
    public long Reopens { get; private set; }

    /// <summary>The open database; after a failed write closed it, the files opened again (LiteDB's recovery keeps whole transactions only).</summary>
    internal LiteDatabase Db => _db ?? Reopen();

    public Task InitializeAsync(CancellationToken ct)
    {
        CreateDirectory(_directory);

        var dataPath = Path.Combine(_directory, DataFileName);
        var logPath = Path.Combine(_directory, LogFileName);
        var password = _key.PasswordFor("ingest");
        StoreEncryption.DiscardUnfinished(dataPath, logPath);
        if (StoreEncryption.IsPlain(dataPath))
        {
            try
            {
                StoreEncryption.EncryptAtStartup(dataPath, logPath, password, SyncedOutboxFiles.Instance);
            }
            catch (StoreEncryptionException ex)
            {
                throw new OptionsValidationException(IngestOptions.Section, typeof(IngestOptions), [$"Ingest:Storage: {ex.Message}"]);
            }
        }

        OpenFiles();
        return Task.CompletedTask;
    }

    private void OpenFiles()
    {
        var dataPath = Path.Combine(_directory, DataFileName);
        var logPath = Path.Combine(_directory, LogFileName);
        try
        {
            _data = _open(dataPath, true);
            _log = _open(logPath, false);
            _db = StoreEncryption.OpenDatabase(_data, _log, _key.PasswordFor("ingest"), readOnly: false);

            // Only this store moves the log into the data file (SyncToDisk): one LiteDB starts by itself
            // inside a commit would empty the log before that commit's fsync.
            _db.Pragma("CHECKPOINT", 0);
            LiteDbMapping.EnsureIndexes(_db);
            LiteDbAnchorMapping.EnsureIndexes(_db);
            LiteDbAcmMapping.EnsureIndexes(_db);
            EnsureAccessIndexes(_db);
        }
        catch (LiteException ex) when (StoreEncryption.IsWrongKey(ex))
        {
            CloseFiles();
            throw new OptionsValidationException(IngestOptions.Section, typeof(IngestOptions), [$"Ingest:StorageKeyFile: {_key.MismatchProblem(dataPath)}"]);
        }
        catch
        {
            CloseFiles();
            throw;
        }
    }

    /// <summary>Disposes the database and its streams, each failure of theirs swallowed (they fail as the write did).</summary>
    private void CloseFiles()
    {
        StorageFaults.CloseQuietly(_db, _data, _log);
        (_db, _data, _log) = (null, null, null);
    }

    /// <summary>
    /// A commit, rollback, fsync or checkpoint that failed (a full disk, an I/O error) leaves LiteDB's
    /// state uncertain: a commit that failed writing its log can be neither rolled back nor finished,
    /// and its transaction would keep this thread's transaction slot and the collections' locks, so
    /// every later write would fail or wait. The files are closed; the next use opens them again, and
    /// LiteDB's recovery keeps whole transactions only. Nothing was receipted for the failed batch: it
    /// is delivered again and stored then.
    /// </summary>
    private void CloseAfterFailure(Exception failure)
    {
        _closedAfter = failure;
        CloseFiles();
    }

    private LiteDatabase Reopen()
    {
        var cause = _closedAfter ?? throw new InvalidOperationException("The LiteDB store is not initialised.");
        try
        {
            OpenFiles();
        }
        catch (Exception ex) when (ex is IOException or LiteException or UnauthorizedAccessException)
        {
            throw new IOException($"The LiteDB store, closed after a failed write ({cause.Message}), does not open again: {ex.Message}", ex);
        }

        _closedAfter = null;
        Reopens++;
        return _db!;
    }

    public Task<T> WriteAsync<T>(IReadOnlyCollection<ChainId> chains, string site, Func<IWriteSession, Task<T>> work, CancellationToken ct) =>
        WriteAsync(chains, _ => site, null, work, ct);

    public Task<T> WriteAsync<T>(IReadOnlyCollection<ChainId> chains, Func<ChainId, string> siteOf, Func<ChainId, byte[]?>? heldState, Func<IWriteSession, Task<T>> work, CancellationToken ct) =>
        TransactAsync(
            async db =>
            {
                var session = new LiteDbWriteSession(db, chains, siteOf);
                var result = await work(session).ConfigureAwait(false);
                session.Flush();
                return result;
            },
            ct);

    public Task<IReadOnlyList<ChainRow>> ChainsAsync(string? gw, CancellationToken ct) => Read(db =>
    {
        var col = db.GetCollection(LiteDbMapping.Chains);
        var docs = gw is null ? col.FindAll() : col.Find(LiteDbQuery.Eq("gw", gw));
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
        var docs = query.Patient is not null ? col.Find(LiteDbQuery.Eq("patient", query.Patient))
            : query.Gw is not null ? col.Find(LiteDbQuery.StartsWith("_id", LiteDbMapping.GatewayPrefix(query.Gw)))
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
            .Find(LiteDbRecordQuery.Records(chain, fromSeq, toSeq))
            .Select(LiteDbMapping.ToRecord).Where(r => r.Kind == RecordKinds.Checkpoint).OrderBy(r => r.Seq).ToList(), ct);

    public Task<IReadOnlyList<AlertRow>> AlertsAsync(long afterId, int limit, CancellationToken ct) => Read(db =>
        (IReadOnlyList<AlertRow>)db.GetCollection(LiteDbMapping.Alerts).Find(LiteDbQuery.Gt("_id", afterId)).Select(LiteDbMapping.ToAlert).OrderBy(a => a.Id).Take(limit).ToList(), ct);

    public Task<IReadOnlyList<EvidenceRow>> EvidenceAsync(int limit, CancellationToken ct) => Read(db =>
        (IReadOnlyList<EvidenceRow>)db.GetCollection(LiteDbMapping.Evidence).FindAll().Select(LiteDbMapping.ToEvidence).OrderBy(e => e.Id).Take(limit).ToList(), ct);

    public Task<long> RecordCountAsync(CancellationToken ct) => Read(db => db.GetCollection(LiteDbMapping.Records).LongCount(), ct);

    public async ValueTask DisposeAsync()
    {
        // A second dispose does nothing (it threw on the disposed gate).
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            try
            {
                if (_db is not null)
                {
                    Checkpoint();
                }
            }
            finally
            {
                _db?.Dispose();
                _db = null;
                if (_data is not null)
                {
                    await _data.DisposeAsync().ConfigureAwait(false);
                }

                if (_log is not null)
                {
                    await _log.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _gate.Release();
        }

        _gate.Dispose();
    }

    private static void CreateDirectory(string directory)
    {
        if (Directory.Exists(directory))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>
    /// Created 0600; one left looser by an older ingest (or the encryption copy) is tightened. A
    /// <paramref name="synced"/> stream fsyncs on every flush (<see cref="SyncedFileStream"/>).
    /// </summary>
    private static FileStream Open(string path, bool synced)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None, BufferSize = 8192, Options = FileOptions.RandomAccess,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        if (synced)
        {
            // Made (0600) first: SyncedFileStream opens what is there.
            new FileStream(path, options).Dispose();
        }

        var stream = synced ? new SyncedFileStream(path) : new FileStream(path, options);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, OwnerOnly);
        }

        return stream;
    }

    private void SyncToDisk()
    {
        // The commit is in the log: forced past the OS cache, it is durable (a start replays the log).
        FileSync.Flush(_log!); // not Flush(true): .NET returns from it when the fsync fails (see FileSync)
        DiskSyncs++;
        if (_log!.Length >= CheckpointLogBytes)
        {
            Checkpoint();
        }
    }

    /// <summary>
    /// Moves the log into the data file. The data file's stream syncs on LiteDB's own flush, which it
    /// calls after writing the pages and before it empties the log; the emptied log is then forced to
    /// disk too, before any later commit goes into it (<see cref="DurableCheckpoint"/>'s reason).
    /// </summary>
    private void Checkpoint()
    {
        Db.Checkpoint();
        FileSync.Flush(_log!);
        Checkpoints++;
    }

    /// <summary>One transaction, committed and forced to disk before it returns; rolled back when <paramref name="work"/> throws.</summary>
    private async Task<T> TransactAsync<T>(Func<LiteDatabase, Task<T>> work, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var db = Begin();
            T result;
            try
            {
                result = await work(db).ConfigureAwait(false);
            }
            catch (Exception failure)
            {
                RollBack(db, failure);
                throw;
            }

            CommitDurably(db);
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>A transaction begun on this thread, on the open (or reopened) database.</summary>
    private LiteDatabase Begin()
    {
        var db = Db;
        if (!db.BeginTrans())
        {
            throw new InvalidOperationException("A LiteDB transaction is already open on this thread.");
        }

        return db;
    }

    /// <summary>
    /// Undoes the transaction; a rollback that fails (it writes the transaction's new pages back to the
    /// log) or finds no transaction on this thread (see <see cref="CommitDurably"/>) closes the files.
    /// </summary>
    private void RollBack(LiteDatabase db, Exception failure)
    {
        try
        {
            if (!db.Rollback())
            {
                CloseAfterFailure(failure);
            }
        }
        catch (Exception ex) when (ex is IOException or LiteException)
        {
            CloseAfterFailure(failure);
        }
    }

    /// <summary>Commits and forces the commit to disk; whatever fails there closes the files (<see cref="CloseAfterFailure"/>) and is thrown.</summary>
    private void CommitDurably(LiteDatabase db)
    {
        try
        {
            // LiteDB 5 binds a transaction to the thread that began it: a commit on another thread finds
            // none and returns false, which would leave the batch uncommitted and the transaction open.
            if (!db.Commit())
            {
                throw new InvalidOperationException("LiteDB found no transaction to commit on this thread: the write left the thread that began it.");
            }

            SyncToDisk();
        }
        catch (Exception failure)
        {
            CloseAfterFailure(failure);
            throw;
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
