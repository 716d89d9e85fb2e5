namespace EdgeTwin.Ingest.Storage.LiteDb;

using EdgeTwin.Outbox;
using LiteDB;

/// <summary>The ingest's record-range predicate, on the shared parameterised <see cref="LiteDbQuery"/>.</summary>
internal static class LiteDbRecordQuery
{
    /// <summary>The record ids of a chain with seq in [from, to].</summary>
    public static BsonExpression Records(ChainId chain, long from, long to) => LiteDbQuery.Between("_id", LiteDbMapping.RecordId(chain, from), LiteDbMapping.RecordId(chain, to));
}
