namespace EdgeTwin.Gateway.Twin.Persistence;

using JsonSerializer = System.Text.Json.JsonSerializer;
using System.Text.Json.Nodes;
using EdgeTwin.Gateway.Outbox;
using EdgeTwin.Gateway.Twin.Model;
using LiteDB;

/// <summary>
/// The twin's own LiteDB file (<c>twin.db</c> in the data directory, beside the outbox but not in
/// it: the twin is rewritten every few seconds, the outbox is append-mostly). It holds one snapshot
/// document and the events not yet appended to the chain; a snapshot and the events it gave rise
/// to are written in one transaction and fsync'd, so an applied command is never without its event.
/// </summary>
internal sealed class TwinStore : IDisposable
{
    private const string SnapshotId = "twin";
    private const int Format = 1;

    private readonly SyncedFileStream _data;
    private readonly SyncedFileStream _log;
    private readonly LiteDatabase _db;
    private readonly ILiteCollection<BsonDocument> _state;
    private readonly ILiteCollection<BsonDocument> _events;

    private TwinStore(string path)
    {
        _data = new SyncedFileStream(path);
        try
        {
            _log = new SyncedFileStream(path + "-log");
        }
        catch
        {
            _data.Dispose();
            throw;
        }

        _db = new LiteDatabase(_data, mapper: null, logStream: _log);
        _state = _db.GetCollection("state");
        _events = _db.GetCollection("events", BsonAutoId.Int64);
    }

    /// <summary>Disk flushes so far (tests: a save must reach the disk).</summary>
    internal int DiskFlushes => _data.DiskFlushes + _log.DiskFlushes;

    public static TwinStore Open(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        return new TwinStore(path);
    }

    public TwinSnapshot? Load()
    {
        var document = _state.FindById(SnapshotId);
        if (document is null)
        {
            return null;
        }

        if (document["format"].AsInt32 != Format)
        {
            throw new InvalidDataException($"twin store format {document["format"]} is not {Format}");
        }

        return JsonSerializer.Deserialize<TwinSnapshot>(document["json"].AsString, TwinJson.Options)
            ?? throw new InvalidDataException("twin store snapshot is empty");
    }

    public void Save(TwinSnapshot snapshot, IReadOnlyCollection<TwinEvent> newEvents)
    {
        var document = new BsonDocument
        {
            ["_id"] = SnapshotId,
            ["format"] = Format,
            ["json"] = JsonSerializer.Serialize(snapshot, TwinJson.Options),
        };
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
            _db.Rollback();
            throw;
        }

        // Commit only queues the pages for LiteDB's background writer; a checkpoint waits for the
        // queue, copies the log into the data file and flushes it, which the stream makes an fsync.
        _db.Checkpoint();
    }

    /// <summary>Events saved but not yet appended to the chain, oldest first.</summary>
    public IReadOnlyList<(long Id, TwinEvent Event)> PendingEvents() =>
        [.. _events.FindAll().OrderBy(d => d["_id"].AsInt64).Select(d => (d["_id"].AsInt64, new TwinEvent(
            d["type"].AsString,
            JsonNode.Parse(d["fields"].AsString) as JsonObject ?? throw new InvalidDataException("pending event without fields"))))];

    public void RemoveEvent(long id)
    {
        _events.Delete(id);
        _db.Checkpoint();
    }

    public void Dispose()
    {
        _db.Dispose();
        _log.Dispose();
        _data.Dispose();
    }
}
