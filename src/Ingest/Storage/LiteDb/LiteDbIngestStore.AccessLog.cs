namespace EdgeTwin.Ingest.Storage.LiteDb;

using EdgeTwin.Outbox;
using LiteDB;

/// <summary>The access log on LiteDB; each entry is committed and forced to disk like every write.</summary>
internal sealed partial class LiteDbIngestStore : IAccessLogStore
{
    public const string AccessLog = "access_log";

    public Task AppendAccessAsync(AccessRow row, CancellationToken ct) => Transact(db =>
    {
        db.GetCollection(AccessLog, BsonAutoId.Int64).Insert(new BsonDocument
        {
            ["at"] = LiteDbMapping.Time(row.At),
            ["subject"] = row.Subject,
            ["roles"] = row.Roles,
            ["route"] = row.Route,
            ["path"] = row.Path,
            ["patient"] = row.Patient is null ? BsonValue.Null : new BsonValue(row.Patient),
            ["gw"] = row.Gw is null ? BsonValue.Null : new BsonValue(row.Gw),
            ["status"] = row.Status,
        });
        return true;
    }, ct);

    public Task<IReadOnlyList<AccessRow>> AccessAsync(string? patient, DateTimeOffset? since, int limit, CancellationToken ct) => Read(db =>
    {
        var col = db.GetCollection(AccessLog);
        var docs = patient is null ? col.Find(Query.All(Query.Descending)) : col.Find(LiteDbQuery.Eq("patient", patient)).OrderByDescending(d => d["_id"].AsInt64);
        var rows = docs.Select(ToAccess).Where(r => since is null || r.At >= since).Take(limit).Reverse().ToList();
        return (IReadOnlyList<AccessRow>)rows;
    }, ct);

    private static void EnsureAccessIndexes(LiteDatabase db) => db.GetCollection(AccessLog).EnsureIndex("patient");

    private static AccessRow ToAccess(BsonDocument d) => new(
        LiteDbMapping.Time(d["at"]) ?? DateTimeOffset.UnixEpoch,
        d["subject"].AsString,
        d["roles"].AsString,
        d["route"].AsString,
        d["path"].AsString,
        d["patient"].IsNull ? null : d["patient"].AsString,
        d["gw"].IsNull ? null : d["gw"].AsString,
        d["status"].AsInt32)
    {
        Id = d["_id"].AsInt64,
    };
}
