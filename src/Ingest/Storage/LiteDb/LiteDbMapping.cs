namespace EdgeTwin.Ingest.Storage.LiteDb;

using System.Globalization;
using LiteDB;

/// <summary>
/// Hand-written row ↔ document mapping: the rows are immutable records, which LiteDB's reflection
/// mapper cannot build, and explicit field names keep the file format stable.
/// </summary>
internal static class LiteDbMapping
{
    public const string Chains = "chains";
    public const string Records = "records";
    public const string Evidence = "evidence";
    public const string Alerts = "alerts";
    public const string Gateways = "gateways";

    public static void EnsureIndexes(LiteDatabase db)
    {
        db.GetCollection(Records).EnsureIndex("patient");

        // A gateway's records are found by the prefix of their id ("gw|lane|epoch|seq"): an index on
        // "gw" (ten or so values, every record in it) cost each insert a third more index work. Dropped
        // where an older ingest made it.
        db.GetCollection(Records).DropIndex("gw");
        db.GetCollection(Chains).EnsureIndex("gw");
        db.GetCollection(Evidence).EnsureIndex("hash");
    }

    public static string ChainKey(ChainId id) => $"{id.Gw}|{id.Lane}|{id.Epoch}";

    /// <summary>Every record id of this gateway starts with it (and, '|' being no name character, no other gateway's does).</summary>
    public static string GatewayPrefix(string gw) => $"{gw}|";

    // Zero-padded so that the ordinal order of ids is the seq order within a chain.
    public static string RecordId(ChainId id, long seq) => $"{ChainKey(id)}|{seq.ToString("D19", CultureInfo.InvariantCulture)}";

    public static BsonDocument FromChain(ChainRow r) => new()
    {
        ["_id"] = ChainKey(r.Id),
        ["gw"] = r.Id.Gw,
        ["lane"] = r.Id.Lane,
        ["epoch"] = r.Id.Epoch,
        ["site"] = r.Site,
        ["state"] = r.VerifierState is null ? BsonValue.Null : new BsonValue(r.VerifierState),
        ["received"] = r.Received,
        ["verifiedThrough"] = r.VerifiedThrough,
        ["verified"] = r.Verified,
        ["pending"] = r.Pending,
        ["missing"] = r.Missing,
        ["duplicates"] = r.Duplicates,
        ["forks"] = r.Forks,
        ["badSigs"] = r.BadSignatures,
        ["brokenLinks"] = r.BrokenLinks,
        ["unsignedBranch"] = r.UnsignedBranch,
        ["gapCovered"] = r.GapCovered,
        ["rejected"] = r.Rejected,
        ["receiptedThrough"] = r.ReceiptedThrough,
        ["lastCheckpointAt"] = Time(r.LastCheckpointAt),
        ["missingSince"] = Time(r.MissingSince),
        ["gapAlerted"] = r.GapAlerted,
        ["firstSeenAt"] = Time(r.FirstSeenAt),
        ["genesisReason"] = r.GenesisReason is null ? BsonValue.Null : new BsonValue(r.GenesisReason),
    };

    public static ChainRow ToChain(BsonDocument d) => new()
    {
        Id = new ChainId(d["gw"].AsString, d["lane"].AsString, d["epoch"].AsString),
        Site = d["site"].AsString,
        // A store written before 2026-12 holds the state as JSON text: its UTF-8 bytes, which ChainStateCodec reads.
        VerifierState = d["state"].IsNull ? null : d["state"].IsString ? System.Text.Encoding.UTF8.GetBytes(d["state"].AsString) : d["state"].AsBinary,
        Received = d["received"].AsInt64,
        VerifiedThrough = d["verifiedThrough"].AsInt64,
        Verified = d["verified"].AsInt64,
        Pending = d["pending"].AsInt64,
        Missing = d["missing"].AsInt64,
        Duplicates = d["duplicates"].AsInt64,
        Forks = d["forks"].AsInt64,
        BadSignatures = d["badSigs"].AsInt64,
        BrokenLinks = d["brokenLinks"].AsInt64,
        UnsignedBranch = d.TryGetValue("unsignedBranch", out var unsigned) && !unsigned.IsNull ? unsigned.AsInt64 : 0, // absent in rows written before it
        GapCovered = d["gapCovered"].AsInt64,
        Rejected = d["rejected"].AsInt64,
        ReceiptedThrough = d["receiptedThrough"].AsInt64,
        LastCheckpointAt = Time(d["lastCheckpointAt"]),
        MissingSince = Time(d["missingSince"]),
        GapAlerted = d["gapAlerted"].AsBoolean,
        FirstSeenAt = Time(d["firstSeenAt"]) ?? DateTimeOffset.UnixEpoch,
        GenesisReason = d["genesisReason"].IsNull ? null : d["genesisReason"].AsString,
    };

    public static BsonDocument FromRecord(RecordRow r) => new()
    {
        ["_id"] = RecordId(r.Chain, r.Seq),
        ["gw"] = r.Chain.Gw,
        ["lane"] = r.Chain.Lane,
        ["epoch"] = r.Chain.Epoch,
        ["seq"] = r.Seq,
        ["hash"] = r.Hash,
        ["kind"] = r.Kind,
        ["site"] = r.Site,
        ["ts"] = Time(r.Ts),
        ["patient"] = r.Patient is null ? BsonValue.Null : new BsonValue(r.Patient),
        ["code"] = r.Code is null ? BsonValue.Null : new BsonValue(r.Code),
        ["payload"] = r.Payload,
        ["receivedAt"] = Time(r.ReceivedAt),
    };

    public static RecordRow ToRecord(BsonDocument d) => new(
        new ChainId(d["gw"].AsString, d["lane"].AsString, d["epoch"].AsString),
        d["seq"].AsInt64,
        d["hash"].AsString,
        d["kind"].AsString,
        d["site"].AsString,
        Time(d["ts"]),
        d["patient"].IsNull ? null : d["patient"].AsString,
        d["code"].IsNull ? null : d["code"].AsString,
        d["payload"].AsBinary,
        Time(d["receivedAt"]) ?? DateTimeOffset.UnixEpoch);

    public static BsonDocument FromEvidence(EvidenceRow e) => new()
    {
        ["at"] = Time(e.At),
        ["topic"] = e.Topic,
        ["gw"] = e.Gw is null ? BsonValue.Null : new BsonValue(e.Gw),
        ["problem"] = e.Problem,
        ["payload"] = e.Payload,
        ["lane"] = e.Chain is { } c ? c.Lane : BsonValue.Null,
        ["epoch"] = e.Chain is { } c2 ? c2.Epoch : BsonValue.Null,
        ["seq"] = e.Seq is { } seq ? new BsonValue(seq) : BsonValue.Null,
        ["hash"] = e.Hash is null ? BsonValue.Null : new BsonValue(e.Hash),
        ["size"] = e.Size,
        ["sha256"] = e.Sha256 is null ? BsonValue.Null : new BsonValue(e.Sha256),
    };

    public static EvidenceRow ToEvidence(BsonDocument d) =>
        new(Time(d["at"]) ?? DateTimeOffset.UnixEpoch, d["topic"].AsString, d["gw"].IsNull ? null : d["gw"].AsString, d["problem"].AsString, d["payload"].AsBinary)
        {
            Id = d["_id"].AsInt64,
            Chain = d["gw"].IsNull || d["lane"].IsNull || d["epoch"].IsNull ? null : new ChainId(d["gw"].AsString, d["lane"].AsString, d["epoch"].AsString),
            Seq = d["seq"].IsNull ? null : d["seq"].AsInt64,
            Hash = d["hash"].IsNull ? null : d["hash"].AsString,
            Size = d["size"].IsNumber ? d["size"].AsInt64 : d["payload"].AsBinary.LongLength,
            Sha256 = d["sha256"].IsString ? d["sha256"].AsString : null,
        };

    public static BsonDocument FromAlert(AlertRow a) => new()
    {
        ["at"] = Time(a.At),
        ["kind"] = a.Kind,
        ["gw"] = a.Gw,
        ["lane"] = a.Lane is null ? BsonValue.Null : new BsonValue(a.Lane),
        ["epoch"] = a.Epoch is null ? BsonValue.Null : new BsonValue(a.Epoch),
        ["seq"] = a.Seq is null ? BsonValue.Null : new BsonValue(a.Seq.Value),
        ["detail"] = a.Detail,
    };

    public static AlertRow ToAlert(BsonDocument d) =>
        new(Time(d["at"]) ?? DateTimeOffset.UnixEpoch, d["kind"].AsString, d["gw"].AsString,
            d["lane"].IsNull ? null : d["lane"].AsString, d["epoch"].IsNull ? null : d["epoch"].AsString,
            d["seq"].IsNull ? null : d["seq"].AsInt64, d["detail"].AsString)
        {
            Id = d["_id"].AsInt64,
        };

    public static BsonDocument FromGateway(GatewayRow g) => new()
    {
        ["_id"] = g.Gw,
        ["site"] = g.Site,
        ["reported"] = g.Reported is null ? BsonValue.Null : new BsonValue(g.Reported),
        ["reportedVersion"] = g.ReportedVersion,
        ["status"] = g.Status is null ? BsonValue.Null : new BsonValue(g.Status),
        ["updatedAt"] = Time(g.UpdatedAt),
        ["silentAlerted"] = g.SilentAlerted,
        ["keyRotations"] = g.KeyRotations is null ? BsonValue.Null : new BsonValue(g.KeyRotations),
    };

    public static GatewayRow ToGateway(BsonDocument d) => new()
    {
        Gw = d["_id"].AsString,
        Site = d["site"].AsString,
        Reported = d["reported"].IsNull ? null : d["reported"].AsString,
        ReportedVersion = d["reportedVersion"].AsInt64,
        Status = d["status"].IsNull ? null : d["status"].AsString,
        UpdatedAt = Time(d["updatedAt"]) ?? DateTimeOffset.UnixEpoch,
        SilentAlerted = d["silentAlerted"].AsBoolean,
        KeyRotations = d.TryGetValue("keyRotations", out var rotations) && rotations.IsString ? rotations.AsString : null,
    };

    // Unix milliseconds as Int64: LiteDB's DateTime loses the offset and rounds to ms anyway.
    internal static BsonValue Time(DateTimeOffset? t) => t is { } v ? new BsonValue(v.ToUnixTimeMilliseconds()) : BsonValue.Null;

    internal static DateTimeOffset? Time(BsonValue v) => v.IsNull ? null : DateTimeOffset.FromUnixTimeMilliseconds(v.AsInt64);
}
