namespace EdgeTwin.Ingest.Storage.Postgres;

using System.Data.Common;
using Npgsql;

/// <summary>
/// The connection settings of the batches' own pool (docs/ingest.md "Storage"). A batch runs the same
/// dozen statements every time; unprepared, PostgreSQL parsed and planned each of them per batch (about
/// 0.8 ms of planning per batch at the default batch size: docs/benchmarks.md, issue 13 ninth pass).
/// Prepared (Npgsql's automatic
/// preparation, per physical connection, kept while the pool keeps the connection), they are planned
/// once; PostgreSQL re-plans one by itself when a table it reads changes (a partition made or dropped).
/// A batch leaves no session state behind (its locks and settings end with its transaction), so the
/// pool does not reset the session between batches (which would also close the prepared statements
/// or cost statements of its own). Either setting named in the configured connection string is kept
/// as given: <c>Max Auto Prepare=0</c> for a pooler that cannot keep prepared statements (PgBouncer
/// in transaction mode before 1.21).
/// </summary>
internal static class PostgresWriteSource
{
    /// <summary>Statements kept prepared per connection: a batch's own (about 15) and room to spare.</summary>
    public const int MaxAutoPrepare = 32;

    /// <summary>Uses before a statement is prepared (Npgsql's default): what runs once is not kept.</summary>
    public const int AutoPrepareMinUsages = 5;

    public static string ConnectionString(string configured)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = configured };
        var builder = new NpgsqlConnectionStringBuilder(configured);
        if (!Names(given, "Max Auto Prepare"))
        {
            builder.MaxAutoPrepare = MaxAutoPrepare;
        }

        if (!Names(given, "Auto Prepare Min Usages"))
        {
            builder.AutoPrepareMinUsages = AutoPrepareMinUsages;
        }

        if (!Names(given, "No Reset On Close"))
        {
            builder.NoResetOnClose = true;
        }

        return builder.ConnectionString;
    }

    // Npgsql takes a keyword with or without its spaces, in any case.
    private static bool Names(DbConnectionStringBuilder given, string keyword) =>
        given.ContainsKey(keyword) || given.ContainsKey(keyword.Replace(" ", string.Empty, StringComparison.Ordinal));
}
