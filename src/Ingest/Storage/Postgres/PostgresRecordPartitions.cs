namespace EdgeTwin.Ingest.Storage.Postgres;

using System.Globalization;
using Npgsql;

/// <summary>
/// ingest_records partitioned by day of <c>received_at</c> (the ingest's own clock: never null, not set
/// by a gateway, so a gateway with a clock in 1970 or in 2099 neither loses its records to retention
/// nor makes partitions of its own). One partition per UTC day, <c>ingest_records_dYYYYMMDD</c>,
/// created ahead; a DEFAULT partition catches a row no day partition covers, so an insert never fails
/// for want of a partition (its rows are never dropped by retention). Only with <c>Ingest:Retention</c>
/// set (<see cref="CreateUnpartitioned"/> without). A table an older ingest created
/// unpartitioned becomes the partition <c>ingest_records_before_YYYYMMDD</c> (everything before that
/// day). PostgreSQL wants the partition key in every unique index, so the key is (gw, lane, epoch,
/// seq, received_at): "one record per seq" is kept by the write session, which looks for a stored
/// record under the chain row lock before inserting one.
/// </summary>
internal static class PostgresRecordPartitions
{
    public const string DayPrefix = "ingest_records_d";
    public const string BeforePrefix = "ingest_records_before_";
    public const string Default = "ingest_records_default";

    /// <summary>
    /// Days created ahead of the day a round runs (and the day before it). One: rounds run hourly, and
    /// every partition more is one more index a look-up by (chain, seq) probes (it has no received_at to prune by).
    /// </summary>
    public const int DaysAhead = 1;

    /// <summary>The records' columns, the same in both forms of the table.</summary>
    private const string Columns = """
        gw text NOT NULL, lane text NOT NULL, epoch text NOT NULL, seq bigint NOT NULL,
        hash text NOT NULL, kind text NOT NULL, site text NOT NULL, ts timestamptz NULL,
        patient text NULL, code text NULL, payload bytea NOT NULL, received_at timestamptz NOT NULL
        """;

    /// <summary>The indexes the queries use (docs/ingest.md), the same in both forms of the table.</summary>
    private const string Indexes = """
        CREATE INDEX IF NOT EXISTS ingest_records_patient ON ingest_records (patient, ts) WHERE patient IS NOT NULL;
        CREATE INDEX IF NOT EXISTS ingest_records_checkpoints ON ingest_records (gw, lane, epoch, seq) WHERE kind = 'checkpoint';
        """;

    public const string Create = $"""
        CREATE TABLE IF NOT EXISTS ingest_records (
            {Columns},
            PRIMARY KEY (gw, lane, epoch, seq, received_at)) PARTITION BY RANGE (received_at);
        {Indexes}
        CREATE TABLE IF NOT EXISTS ingest_records_default PARTITION OF ingest_records DEFAULT;
        """;

    /// <summary>
    /// The table without partitions, as before issue 13: what an ingest without <c>Ingest:Retention</c>
    /// creates. Nothing is ever dropped from it, so days would bring no gain, only a cost: a look-up by
    /// chain and seq carries no receive time, so it probes the index of every partition, one more
    /// each day. Here the primary key itself keeps one record per seq.
    /// </summary>
    public const string CreateUnpartitioned = $"""
        CREATE TABLE IF NOT EXISTS ingest_records (
            {Columns},
            PRIMARY KEY (gw, lane, epoch, seq));
        {Indexes}
        """;

    /// <summary>Whether ingest_records is partitioned (false also when it does not exist yet).</summary>
    public static async Task<bool> IsPartitionedAsync(NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken ct) =>
        await RelKindAsync(conn, tx, ct).ConfigureAwait(false) == "p";

    /// <summary>
    /// With <paramref name="partitioned"/> (<c>Ingest:Retention</c> set): creates the partitioned table,
    /// first turning an unpartitioned one into its first partition, and says so when it did. Without:
    /// creates the table unpartitioned when there is none, and leaves whichever there is as it is (a
    /// partitioned one stays partitioned: retention switched off keeps what it had).
    /// </summary>
    public static async Task<string?> CreateOrMigrateAsync(NpgsqlConnection conn, NpgsqlTransaction tx, DateTimeOffset now, bool partitioned, CancellationToken ct)
    {
        var relkind = await RelKindAsync(conn, tx, ct).ConfigureAwait(false);
        if (!partitioned)
        {
            if (relkind is null)
            {
                await ExecuteAsync(conn, tx, CreateUnpartitioned, ct).ConfigureAwait(false);
            }

            return null;
        }

        if (relkind != "r")
        {
            await ExecuteAsync(conn, tx, Create, ct).ConfigureAwait(false);
            return null;
        }

        // Everything before the day after the newest record (and after today) goes in one partition. Its
        // primary key gives way to the table's (a partition has the parent's); attaching builds that index.
        await using var newest = new NpgsqlCommand("SELECT max(received_at), count(*) FROM ingest_records", conn, tx);
        DateTimeOffset? latest = null;
        long count;
        await using (var r = await newest.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            await r.ReadAsync(ct).ConfigureAwait(false);
            latest = PostgresRows.Time(r, 0);
            count = r.GetInt64(1);
        }

        var upper = Day(latest is { } l && l > now ? l : now).AddDays(1);
        var name = BeforePrefix + upper.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        await ExecuteAsync(conn, tx, $"""
            ALTER TABLE ingest_records RENAME TO {name};
            ALTER TABLE {name} DROP CONSTRAINT ingest_records_pkey;
            ALTER INDEX IF EXISTS ingest_records_patient RENAME TO {name}_patient;
            ALTER INDEX IF EXISTS ingest_records_checkpoints RENAME TO {name}_checkpoints;
            {Create}
            ALTER TABLE ingest_records ATTACH PARTITION {name} FOR VALUES FROM (MINVALUE) TO ('{Bound(upper)}');
            """, ct).ConfigureAwait(false);
        return $"ingest_records was not partitioned (an ingest before issue 13 created it): its {count} records are now the partition {name} (received before {upper:yyyy-MM-dd} UTC); new records go to daily partitions";
    }

    private static async Task<string?> RelKindAsync(NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using var kind = new NpgsqlCommand("SELECT c.relkind::text FROM pg_class c WHERE c.oid = to_regclass('ingest_records')", conn, tx);
        return await kind.ExecuteScalarAsync(ct).ConfigureAwait(false) as string;
    }

    /// <summary>The day partitions and the migrated one, with the end of the range each covers.</summary>
    public static async Task<List<(string Name, DateTimeOffset Until)>> ListAsync(NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'ingest_records'::regclass", conn, tx);
        var list = new List<(string, DateTimeOffset)>();
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            var name = r.GetString(0);
            if (TryDay(name, DayPrefix, out var day))
            {
                list.Add((name, day.AddDays(1)));
            }
            else if (TryDay(name, BeforePrefix, out var before))
            {
                list.Add((name, before));
            }
        }

        return list;
    }

    /// <summary>Creates the partition of one day; false when the default partition already holds rows of that day (they stay there).</summary>
    public static async Task<bool> TryCreateDayAsync(NpgsqlConnection conn, NpgsqlTransaction tx, DateTimeOffset day, CancellationToken ct)
    {
        await using var savepoint = new NpgsqlCommand("SAVEPOINT day", conn, tx);
        await savepoint.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        try
        {
            await ExecuteAsync(conn, tx, $"CREATE TABLE IF NOT EXISTS {DayName(day)} PARTITION OF ingest_records FOR VALUES FROM ('{Bound(day)}') TO ('{Bound(day.AddDays(1))}')", ct).ConfigureAwait(false);
            return true;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.CheckViolation)
        {
            await ExecuteAsync(conn, tx, "ROLLBACK TO SAVEPOINT day", ct).ConfigureAwait(false);
            return false;
        }
    }

    /// <summary>
    /// Records in a partition whose seq is above its chain's verified_through: a partition holding any is
    /// not dropped. That includes the checkpoint right after it, which the next verification starts from.
    /// </summary>
    public static async Task<bool> HoldsUnverifiedAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string partition, CancellationToken ct)
    {
        // Per chain one index probe into the partition, not a scan of a day of records.
        await using var cmd = new NpgsqlCommand($"""
            SELECT EXISTS (SELECT 1 FROM ingest_chains c WHERE EXISTS (
              SELECT 1 FROM {partition} r WHERE r.gw = c.gw AND r.lane = c.lane AND r.epoch = c.epoch AND r.seq > c.verified_through))
            """, conn, tx);
        return (bool)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }

    /// <summary>The planner's row estimate of a partition (no count of a whole day): for the log line.</summary>
    public static async Task<long> EstimateAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string partition, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT GREATEST(reltuples, 0)::bigint FROM pg_class WHERE oid = $1::regclass", conn, tx);
        cmd.Parameters.AddWithValue(partition);
        return (long)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }

    public static string DayName(DateTimeOffset day) => DayPrefix + day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    public static DateTimeOffset Day(DateTimeOffset t) => new(t.UtcDateTime.Date, TimeSpan.Zero);

    public static async Task ExecuteAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static string Bound(DateTimeOffset day) => day.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "+00";

    private static bool TryDay(string name, string prefix, out DateTimeOffset day)
    {
        day = default;
        return name.StartsWith(prefix, StringComparison.Ordinal)
            && DateTime.TryParseExact(name[prefix.Length..], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var d)
            && (day = new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc))) != default;
    }
}
