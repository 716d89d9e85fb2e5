namespace EdgeTwin.Outbox;

using LiteDB;

/// <summary>
/// Query predicates with their values as parameters: the one home of them for the outbox and the
/// ingest's LiteDB backend. LiteDB's <c>Query.EQ</c>, <c>Query.Between</c> and the like write the value
/// into the expression's text, and LiteDB 5.0.21 compiles every expression text it has not seen into a
/// LINQ delegate (<c>Expression.Compile</c>) and keeps it in a static cache of <see cref="BsonExpression"/>
/// for the life of the process: each look-up of a new id or range compiled afresh and the cache grew
/// without end (a tenth of the ingest's CPU on LiteDB; a gateway compiled and kept a delegate per
/// receipt and per read window, docs/benchmarks.md). Here the text is one per field and form, so each
/// is compiled once. Use these, never <c>Query.EQ/Between/GT/...</c> with a varying value
/// (<c>ArchitectureTests</c> in the outbox's tests scans src for them).
/// </summary>
public static class LiteDbQuery
{
    public static BsonExpression Eq(string field, BsonValue value) => BsonExpression.Create($"$.{field} = @0", value);

    public static BsonExpression Between(string field, BsonValue from, BsonValue to) => BsonExpression.Create($"$.{field} BETWEEN @0 AND @1", from, to);

    public static BsonExpression Gt(string field, BsonValue value) => BsonExpression.Create($"$.{field} > @0", value);

    public static BsonExpression Lte(string field, BsonValue value) => BsonExpression.Create($"$.{field} <= @0", value);

    /// <summary>from &lt;= field &lt; to.</summary>
    public static BsonExpression Within(string field, BsonValue from, BsonValue to) => BsonExpression.Create($"$.{field} >= @0 AND $.{field} < @1", from, to);

    public static BsonExpression StartsWith(string field, string prefix) => BsonExpression.Create($"$.{field} LIKE @0", prefix + "%");
}
