namespace EdgeTwin.Ingest.Storage.LiteDb;

using EdgeTwin.Ingest.Anchoring;
using LiteDB;

/// <summary>Documents of the leaf log and the anchors (issue 17).</summary>
internal static class LiteDbAnchorMapping
{
    public const string Leaves = "anchor_leaves";
    public const string Anchors = "anchors";

    public static void EnsureIndexes(LiteDatabase db)
    {
        db.GetCollection(Leaves).EnsureIndex("key", unique: true);
        db.GetCollection(Leaves).EnsureIndex("position");
    }

    public static BsonDocument FromLeaf(AnchorLeafRow l) => new()
    {
        ["key"] = LiteDbMapping.RecordId(l.Chain, l.Seq),
        ["gw"] = l.Chain.Gw,
        ["lane"] = l.Chain.Lane,
        ["epoch"] = l.Chain.Epoch,
        ["seq"] = l.Seq,
        ["hash"] = l.Hash,
        ["position"] = l.Position is { } p ? new BsonValue(p) : BsonValue.Null,
    };

    public static AnchorLeafRow ToLeaf(BsonDocument d) =>
        new(new ChainId(d["gw"].AsString, d["lane"].AsString, d["epoch"].AsString), d["seq"].AsInt64, d["hash"].AsString, d["position"].IsNull ? null : d["position"].AsInt64);

    public static BsonDocument FromAnchor(AnchorRow a) => new()
    {
        ["_id"] = a.Index,
        ["root"] = a.Root,
        ["firstLeaf"] = a.FirstLeaf,
        ["treeSize"] = a.TreeSize,
        ["previousRoot"] = a.PreviousRoot,
        ["preparedAt"] = LiteDbMapping.Time(a.PreparedAt),
        ["chainId"] = a.ChainId is { } c ? new BsonValue(c) : BsonValue.Null,
        ["contract"] = a.Contract is null ? BsonValue.Null : new BsonValue(a.Contract),
        ["tx"] = a.Tx is null ? BsonValue.Null : new BsonValue(a.Tx),
        ["block"] = a.Block is { } b ? new BsonValue(b) : BsonValue.Null,
        ["anchoredAt"] = LiteDbMapping.Time(a.AnchoredAt),
    };

    public static AnchorRow ToAnchor(BsonDocument d) =>
        new(d["_id"].AsInt64, d["root"].AsString, d["firstLeaf"].AsInt64, d["treeSize"].AsInt64, d["previousRoot"].AsString, LiteDbMapping.Time(d["preparedAt"]) ?? DateTimeOffset.UnixEpoch)
        {
            ChainId = d["chainId"].IsNull ? null : d["chainId"].AsInt64,
            Contract = d["contract"].IsNull ? null : d["contract"].AsString,
            Tx = d["tx"].IsNull ? null : d["tx"].AsString,
            Block = d["block"].IsNull ? null : d["block"].AsInt64,
            AnchoredAt = LiteDbMapping.Time(d["anchoredAt"]),
        };
}
