namespace EdgeTwin.Gateway.Twin.Persistence;

using JsonSerializer = System.Text.Json.JsonSerializer;
using System.Text.Json.Nodes;
using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Storage;
using EdgeTwin.Gateway.Twin.Model;
using EdgeTwin.Outbox.Durability;
using EdgeTwin.Outbox.Encryption;
using LiteDB;

/// <summary>
/// The twin's own LiteDB file (<c>twin.db</c> in the data directory, beside the outbox but not in
/// it: the twin is rewritten every few seconds, the outbox is append-mostly). It holds one snapshot
/// document and the events not yet appended to the chain; a snapshot and the events it gave rise
/// to are written in one transaction and fsync'd, so an applied command is never without its event.
/// Encrypted at rest with the storage key, like the outbox (docs/operations.md).
/// </summary>
internal sealed class TwinStore : IDisposable
{
    private const string SnapshotId = "twin";
    private const int Format = 1;

    /// <summary>The errno a full disk gives (ENOSPC): what a store not created yet says to its callers.</summary>
    private const int NoSpace = 28;

    private readonly string? _password;
    private SyncedFileStream _data;
    private SyncedFileStream _log;
    private LiteDatabase _db;
    private ILiteCollection<BsonDocument> _state;
    private ILiteCollection<BsonDocument> _events;
    private readonly Func<string, SyncedFileStream> _openFile;
    private bool _closed;
    private bool _created = true;
    private Func<bool>? _mayCreate;

    private TwinStore(string path, string? password, long? encryptedDocuments, Func<string, SyncedFileStream> openFile)
    {
        Path = path;
        _password = password;
        _openFile = openFile;
        (_data, _log, _db) = OpenFiles(path, password, openFile);
        _state = _db.GetCollection("state");
        _events = _db.GetCollection("events", BsonAutoId.Int64);
        EncryptedDocuments = encryptedDocuments;
        if (encryptedDocuments is { } documents)
        {
            // Recorded like the twin's other events: appended to the chain with the next flush.
            _events.Insert(new BsonDocument { ["type"] = "store-encrypted", ["fields"] = new JsonObject { ["file"] = System.IO.Path.GetFileName(path), ["documents"] = documents }.ToJsonString() });
            DurableCheckpoint.Run(_db, _log);
        }
    }

    /// <summary>A store not created yet (a first start on a full disk): created by the first operation that finds room.</summary>
    private TwinStore(string path, string? password, Func<bool>? mayCreate, Func<string, SyncedFileStream> openFile)
    {
        Path = path;
        _password = password;
        _openFile = openFile;
        _mayCreate = mayCreate;
        _created = false;
        _closed = true;
        _data = null!;
        _log = null!;
        _db = null!;
        _state = null!;
        _events = null!;
    }

    private static (SyncedFileStream Data, SyncedFileStream Log, LiteDatabase Db) OpenFiles(string path, string? password, Func<string, SyncedFileStream> openFile)
    {
        var data = openFile(path);
        SyncedFileStream log;
        try
        {
            log = openFile(LogPath(path));
        }
        catch
        {
            data.Dispose();
            throw;
        }

        try
        {
            return (data, log, StoreEncryption.OpenDatabase(data, log, password, readOnly: false));
        }
        catch (Exception ex)
        {
            // Release the files (their lock) whatever went wrong, so nothing holds them after a refused start.
            log.Dispose();
            data.Dispose();
            if (StoreEncryption.IsWrongKey(ex))
            {
                throw new WrongStorageKeyException(path, ex);
            }

            throw;
        }
    }

    /// <summary>
    /// Runs a write; when it fails (for lack of space, or any other I/O error) the files are closed and
    /// reopened before the next operation, whose recovery keeps only whole transactions: the state in
    /// force stays what was last saved. Rethrows the failure. (A commit that failed writing LiteDB's log
    /// leaves a transaction LiteDB can neither finish nor roll back; kept open, it made every later save
    /// fail until a restart.)
    /// </summary>
    private void Write(Action write)
    {
        Reopen();
        try
        {
            write();
        }
        catch (Exception ex) when (ex is IOException or LiteException)
        {
            _closed = true;
            StorageFaults.CloseQuietly(_db, _log, _data);
            throw;
        }
    }

    private void Reopen()
    {
        if (!_closed)
        {
            return;
        }

        if (!_created && _mayCreate?.Invoke() == false)
        {
            throw new IOException($"the twin store '{Path}' is not created before the storage key is on disk (the disk is full)", NoSpace);
        }

        try
        {
            (_data, _log, _db) = OpenFiles(Path, _password, _openFile);
        }
        catch (Exception ex) when (!_created && StorageFaults.IsOutOfSpace(ex))
        {
            DiscardPartial(Path);
            throw;
        }

        _state = _db.GetCollection("state");
        _events = _db.GetCollection("events", BsonAutoId.Int64);
        _closed = false;
        _created = true;
        _mayCreate = null;
    }

    /// <summary>Whether the store does not exist yet and cannot be made now (a first start on a full disk): nothing was saved.</summary>
    private bool NotCreatedYet()
    {
        try
        {
            Reopen();
            return false;
        }
        catch (Exception ex) when (!_created && StorageFaults.IsOutOfSpace(ex))
        {
            return true;
        }
    }

    /// <summary>What a creation cut short by a full disk left behind: a store with nothing in it, removed so the next try starts clean.</summary>
    private static void DiscardPartial(string path)
    {
        StorageFaults.Quietly(() => File.Delete(path));
        StorageFaults.Quietly(() => File.Delete(LogPath(path)));
    }

    public string Path { get; }

    /// <summary>Disk flushes so far (tests: a save must reach the disk).</summary>
    internal int DiskFlushes => _data.DiskFlushes + _log.DiskFlushes;

    /// <summary>How many documents were copied from a plain store encrypted at this open (null: none was).</summary>
    public long? EncryptedDocuments { get; }

    /// <summary>
    /// Opens (or creates) the store encrypted with the storage key; a plain one written before
    /// encryption at rest is encrypted first (<see cref="StoreEncryption"/>). A store that does not
    /// open with the key: <see cref="StartupException"/> naming the key file, the store untouched.
    /// A store that does not exist yet is created later when the disk is too full for it now, or
    /// while <paramref name="mayCreate"/> says no (the storage key is not on disk yet): until then it
    /// holds nothing (<see cref="Load"/> null) and a save fails as on a full disk.
    /// </summary>
    public static TwinStore Open(string path, StorageKey key, Func<bool>? mayCreate = null) =>
        Open(path, key, mayCreate, p => new SyncedFileStream(p));

    /// <summary><see cref="Open(string, StorageKey, Func{bool}?)"/> with the files opened by <paramref name="openFile"/> (tests: a failing disk).</summary>
    internal static TwinStore Open(string path, StorageKey key, Func<bool>? mayCreate, Func<string, SyncedFileStream> openFile)
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        var password = key.PasswordFor("twin");
        var exists = File.Exists(path) && new FileInfo(path).Length > 0;
        if (!exists && mayCreate?.Invoke() == false)
        {
            return new TwinStore(path, password, mayCreate, openFile);
        }

        long? encrypted = null;
        if (StoreEncryption.IsPlain(path))
        {
            try
            {
                encrypted = StoreEncryption.EncryptAtStartup(path, LogPath(path), password, SyncedOutboxFiles.Instance);
            }
            catch (StoreEncryptionException ex)
            {
                throw new StartupException("Gateway:DataDirectory", ex.Message, ex);
            }
        }
        else
        {
            StoreEncryption.DiscardUnfinished(path, LogPath(path));
        }

        try
        {
            return new TwinStore(path, password, encrypted, openFile);
        }
        catch (WrongStorageKeyException ex)
        {
            throw GatewayStorageKey.Mismatch(key, ex.StoreFile);
        }
        catch (Exception ex) when (!exists && StorageFaults.IsOutOfSpace(ex))
        {
            DiscardPartial(path);
            return new TwinStore(path, password, mayCreate, openFile);
        }
    }

    /// <summary>Tests only: the store as written before encryption at rest (plain), to test its migration.</summary>
    internal static TwinStore OpenPlain(string path) => new(path, password: null, encryptedDocuments: null, p => new SyncedFileStream(p));

    private static string LogPath(string path) => path + "-log";

    public TwinSnapshot? Load()
    {
        if (NotCreatedYet())
        {
            return null;
        }

        var document = _state.FindById(SnapshotId);
        if (document is null)
        {
            return null;
        }

        if (document["format"].AsInt32 != Format)
        {
            throw new InvalidDataException($"twin store format {document["format"]} is not {Format}");
        }

        return JsonSerializer.Deserialize(document["json"].AsString, TwinJson.Snapshot)
            ?? throw new InvalidDataException("twin store snapshot is empty");
    }

    public void Save(TwinSnapshot snapshot, IReadOnlyCollection<TwinEvent> newEvents)
    {
        var document = new BsonDocument
        {
            ["_id"] = SnapshotId,
            ["format"] = Format,
            ["json"] = JsonSerializer.Serialize(snapshot, TwinJson.Snapshot),
        };
        Write(() =>
        {
            _db.BeginTrans();
            try
            {
                _state.Upsert(document);
                foreach (var twinEvent in newEvents)
                {
                    _events.Insert(new BsonDocument { ["type"] = twinEvent.Type, ["fields"] = twinEvent.Fields.ToJsonString() });
                }

                _db.Commit();
            }
            catch
            {
                StorageFaults.Quietly(() => _db.Rollback());
                throw;
            }

            // Commit only writes the log pages, unflushed; the checkpoint copies them into the data file
            // and flushes it (fsync through the stream), then the truncated log (DurableCheckpoint).
            DurableCheckpoint.Run(_db, _log);
        });
    }

    /// <summary>Events saved but not yet appended to the chain, oldest first.</summary>
    public IReadOnlyList<(long Id, TwinEvent Event)> PendingEvents()
    {
        if (NotCreatedYet())
        {
            return [];
        }

        return [.. _events.FindAll().OrderBy(d => d["_id"].AsInt64).Select(d => (d["_id"].AsInt64, new TwinEvent(
            d["type"].AsString,
            JsonNode.Parse(d["fields"].AsString) as JsonObject ?? throw new InvalidDataException("pending event without fields"))))];
    }

    public void RemoveEvent(long id) => Write(() =>
    {
        _events.Delete(id);
        DurableCheckpoint.Run(_db, _log);
    });

    public void Dispose()
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        StorageFaults.CloseQuietly(_db, _log, _data);
    }
}
