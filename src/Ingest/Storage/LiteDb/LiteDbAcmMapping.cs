namespace EdgeTwin.Ingest.Storage.LiteDb;

using LiteDB;

/// <summary>Row ↔ document mapping of the alarm reporter's collections (docs/alarms-out.md).</summary>
internal static class LiteDbAcmMapping
{
    public const string Alerts = "acm_alerts";
    public const string Messages = "acm_messages";
    public const string Statuses = "acm_statuses";

    public static void EnsureIndexes(LiteDatabase db)
    {
        db.GetCollection(Alerts).EnsureIndex("gwKey");
        db.GetCollection(Alerts).EnsureIndex("gw");
        db.GetCollection(Messages).EnsureIndex("manager");
        db.GetCollection(Messages).EnsureIndex("controlId");
        db.GetCollection(Messages).EnsureIndex("alertId");
        db.GetCollection(Statuses).EnsureIndex("alertId");
    }

    public static string GwKey(string gw, string key) => gw + "\n" + key;

    public static BsonDocument FromAlert(AcmAlertRow a) => new()
    {
        ["_id"] = a.AlertId,
        ["gw"] = a.Gw,
        ["key"] = a.Key,
        // Only an open alarm is found by its key: a closed one keeps its identity but no longer answers.
        ["gwKey"] = a.Open ? GwKey(a.Gw, a.Key) : BsonValue.Null,
        ["patient"] = a.Patient,
        ["device"] = a.Device,
        ["condition"] = a.Condition,
        ["priority"] = a.Priority,
        ["phase"] = a.Phase,
        ["state"] = a.State,
        ["open"] = a.Open,
        ["raisedAt"] = a.RaisedAt.ToUnixTimeMilliseconds(),
        ["updatedAt"] = a.UpdatedAt.ToUnixTimeMilliseconds(),
        ["updates"] = a.Updates,
        ["bed"] = a.Bed is null ? BsonValue.Null : new BsonValue(a.Bed),
    };

    public static AcmAlertRow ToAlert(BsonDocument d) => new(
        d["_id"].AsString, d["gw"].AsString, d["key"].AsString, d["patient"].AsString, d["device"].AsString, d["condition"].AsString,
        d["priority"].AsString, d["phase"].AsString, d["state"].AsString, d["open"].AsBoolean,
        DateTimeOffset.FromUnixTimeMilliseconds(d["raisedAt"].AsInt64), DateTimeOffset.FromUnixTimeMilliseconds(d["updatedAt"].AsInt64), d["updates"].AsInt32,
        d["bed"].IsNull ? null : d["bed"].AsString);

    public static BsonDocument FromMessage(AcmMessageRow m)
    {
        var doc = new BsonDocument
        {
            ["manager"] = m.Manager,
            ["controlId"] = m.ControlId,
            ["alertId"] = m.AlertId,
            ["gw"] = m.Gw,
            ["message"] = m.Message,
            ["queuedAt"] = m.QueuedAt.ToUnixTimeMilliseconds(),
            ["status"] = m.Status,
            ["attempts"] = m.Attempts,
            ["errorAnswers"] = m.ErrorAnswers,
            ["lastAttemptAt"] = m.LastAttemptAt is { } l ? l.ToUnixTimeMilliseconds() : BsonValue.Null,
            ["doneAt"] = m.DoneAt is { } done ? done.ToUnixTimeMilliseconds() : BsonValue.Null,
            ["detail"] = m.Detail is null ? BsonValue.Null : new BsonValue(m.Detail),
        };
        if (m.Id != 0)
        {
            doc["_id"] = m.Id;
        }

        return doc;
    }

    public static AcmMessageRow ToMessage(BsonDocument d) => new(
        d["_id"].AsInt64, d["manager"].AsString, d["controlId"].AsString, d["alertId"].AsString, d["gw"].AsString, d["message"].AsString,
        DateTimeOffset.FromUnixTimeMilliseconds(d["queuedAt"].AsInt64), d["status"].AsString, d["attempts"].AsInt32, d["errorAnswers"].AsInt32,
        d["lastAttemptAt"].IsNull ? null : DateTimeOffset.FromUnixTimeMilliseconds(d["lastAttemptAt"].AsInt64),
        d["doneAt"].IsNull ? null : DateTimeOffset.FromUnixTimeMilliseconds(d["doneAt"].AsInt64),
        d["detail"].IsNull ? null : d["detail"].AsString);

    public static BsonDocument FromStatus(AcmStatusRow s) => new()
    {
        ["alertId"] = s.AlertId,
        ["status"] = s.Status,
        ["who"] = s.Who is null ? BsonValue.Null : new BsonValue(s.Who),
        ["at"] = s.At.ToUnixTimeMilliseconds(),
        ["receivedAt"] = s.ReceivedAt.ToUnixTimeMilliseconds(),
        ["peer"] = s.Peer,
        ["controlId"] = s.ControlId,
    };

    public static AcmStatusRow ToStatus(BsonDocument d) => new(
        d["alertId"].AsString, d["status"].AsString, d["who"].IsNull ? null : d["who"].AsString,
        DateTimeOffset.FromUnixTimeMilliseconds(d["at"].AsInt64), DateTimeOffset.FromUnixTimeMilliseconds(d["receivedAt"].AsInt64),
        d["peer"].AsString, d["controlId"].AsString)
    {
        Id = d["_id"].AsInt64,
    };
}
