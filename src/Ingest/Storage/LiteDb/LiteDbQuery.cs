namespace EdgeTwin.Ingest.Storage.LiteDb;

using LiteDB;

/// <summary>
/// Query predicates with their values as parameters. LiteDB's <c>Query.EQ</c>, <c>Query.Between</c> and
/// the like write the value into the expression's text, and LiteDB compiles every expression text it
/// has not seen into a LINQ delegate (<c>Expression.Compile</c>) and keeps it in a static cache for
/// the life of the process: each look-up of a new id compiled afresh (a tenth of the ingest's CPU on
/// LiteDB, docs/benchmarks.md "Issue 13: the LiteDB backend") and the cache grew without end. Here the
/// text is one per field and form, so each is compiled once.
/// </summary>
internal static class LiteDbQuery
{
    public static BsonExpression Eq(string field, BsonValue value) => BsonExpression.Create($"$.{field} = @0", value);

    public static BsonExpression Between(string field, BsonValue from, BsonValue to) => BsonExpression.Create($"$.{field} BETWEEN @0 AND @1", from, to);

    public static BsonExpression Gt(string field, BsonValue value) => BsonExpression.Create($"$.{field} > @0", value);

    public static BsonExpression Lte(string field, BsonValue value) => BsonExpression.Create($"$.{field} <= @0", value);

    /// <summary>from &lt;= field &lt; to.</summary>
    public static BsonExpression Within(string field, BsonValue from, BsonValue to) => BsonExpression.Create($"$.{field} >= @0 AND $.{field} < @1", from, to);

    public static BsonExpression StartsWith(string field, string prefix) => BsonExpression.Create($"$.{field} LIKE @0", prefix + "%");

    /// <summary>The record ids of a chain with seq in [from, to].</summary>
    public static BsonExpression Records(ChainId chain, long from, long to) => Between("_id", LiteDbMapping.RecordId(chain, from), LiteDbMapping.RecordId(chain, to));
}
