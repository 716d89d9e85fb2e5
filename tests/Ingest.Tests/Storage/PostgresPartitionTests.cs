namespace EdgeTwin.Ingest.Tests.Storage;

using System.Diagnostics.Metrics;
using EdgeTwin.Ingest.Metrics;
using EdgeTwin.Ingest.Options;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Ingest.Storage.Postgres;
using EdgeTwin.Ingest.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

/// <summary>
/// Issue 13: ingest_records partitioned by day of received_at on a real PostgreSQL when
/// Ingest:Retention is set (unpartitioned without); one record per seq across partitions,
/// Ingest:Retention dropping whole old partitions only, and an unpartitioned table taken over.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresPartitionTests(PostgresFixture pg)
{
    private static readonly DateTimeOffset Day0 = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);
    private static readonly ChainId A = new("gw-a", "telemetry", new string('a', 32));
    private static readonly ChainId B = new("gw-b", "telemetry", new string('b', 32));

    [Fact]
    public async Task ARecordReceivedAgainTheNextDay_InTheNextDaysPartition_IsStillStoredOnce()
    {
        var (store, connection) = await OpenAsync(Day0.AddHours(23));
        await using var _ = store;
        Assert.True(await InsertAsync(store, Record(A, 5, "h1", Day0.AddDays(1).AddSeconds(-1))));

        // The batch path (looked up for all, then one COPY) and the one-by-one path both refuse it.
        var bulk = await store.WriteAsync([A], "site", async s =>
        {
            await s.PrepareAsync([(A, 5), (A, 6)], []);
            return (await s.TryInsertRecordAsync(Record(A, 5, "h2", Day0.AddDays(1).AddSeconds(1))), await s.TryInsertRecordAsync(Record(A, 6, "h6", Day0.AddDays(1).AddSeconds(1))));
        }, default);
        Assert.Equal((false, true), bulk);
        Assert.False(await InsertAsync(store, Record(A, 5, "h3", Day0.AddDays(2))));

        Assert.Equal(
            [(5L, "h1", PostgresRecordPartitions.DayName(Day0)), (6L, "h6", PostgresRecordPartitions.DayName(Day0.AddDays(1)))],
            await RowsAsync(connection));
    }

    [Fact]
    public async Task Retention_DropsWholePartitionsOlderThanIt_KeepsOneHoldingUnverifiedRecords_LogsAndCountsEach()
    {
        var (store, connection) = await OpenAsync(Day0);
        await using var _ = store;
        await store.MaintainAsync(Day0.AddDays(2), null, default); // the hourly round on day 2 made its partition
        Assert.True(await InsertAsync(store, Record(A, 0, "a0", Day0.AddHours(1)), verifiedThrough: 0));
        Assert.True(await InsertAsync(store, Record(B, 0, "b0", Day0.AddDays(1).AddHours(1)), verifiedThrough: -1));
        Assert.True(await InsertAsync(store, Record(A, 1, "a1", Day0.AddDays(2).AddHours(1)), verifiedThrough: 1));

        // Day 5, three days kept: everything received before day 2 may go. Day 0 goes (and the empty
        // day before it); day 1 holds gw-b's unverified seq 0 and stays; day 2 is younger.
        var time = new FakeTimeProvider(Day0.AddDays(5));
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        using var partitions = new MetricCollector<long>(factory, IngestMetrics.MeterName, "edgetwin.ingest.retention.partitions");
        var logger = new FakeLogger<RecordRetention>();
        var retention = new RecordRetention(store, Microsoft.Extensions.Options.Options.Create(new IngestOptions { Retention = TimeSpan.FromDays(3) }), time, new IngestMetrics(factory), logger);

        var round = await retention.RoundAsync(default);

        Assert.Equal([PostgresRecordPartitions.DayName(Day0.AddDays(-1)), PostgresRecordPartitions.DayName(Day0)], round!.Dropped.Select(d => d.Name));
        Assert.Equal([PostgresRecordPartitions.DayName(Day0.AddDays(1))], round.KeptUnverified);
        Assert.Equal([(0L, "b0", PostgresRecordPartitions.DayName(Day0.AddDays(1))), (1L, "a1", PostgresRecordPartitions.DayName(Day0.AddDays(2)))], await RowsAsync(connection));
        Assert.Equal(2, (await store.ChainsAsync(null, default)).Count);
        var logs = logger.Collector.GetSnapshot();
        Assert.Equal(2, logs.Count(l => l.Id.Id == 7341));
        Assert.Single(logs, l => l.Id.Id == 7342 && l.Message.Contains(PostgresRecordPartitions.DayName(Day0.AddDays(1)), StringComparison.Ordinal));
        Assert.Equal(["dropped", "dropped", "kept"], partitions.GetMeasurementSnapshot().Select(m => (string)m.Tags["outcome"]!).Order(StringComparer.Ordinal));
        Assert.Equal([PostgresRecordPartitions.DayName(Day0.AddDays(4)), PostgresRecordPartitions.DayName(Day0.AddDays(5)), PostgresRecordPartitions.DayName(Day0.AddDays(6))], round.Created);

        // Once verified, the day goes at the next round; nothing younger does.
        await store.WriteAsync([B], "site", s =>
        {
            s.SetChain(s.Chain(B) with { VerifiedThrough = 0 });
            return Task.FromResult(0);
        }, default);
        var next = await retention.RoundAsync(default);
        Assert.Equal([PostgresRecordPartitions.DayName(Day0.AddDays(1))], next!.Dropped.Select(d => d.Name));
        Assert.Equal([(1L, "a1", PostgresRecordPartitions.DayName(Day0.AddDays(2)))], await RowsAsync(connection));
    }

    [Fact]
    public async Task AnUnpartitionedRecordsTable_BecomesTheFirstPartition_SaysSo_AndItsRecordsStayOnePerSeq()
    {
        var connection = await pg.CreateDatabaseAsync();
        await using (var conn = new NpgsqlConnection(connection))
        {
            // As an ingest before issue 13 created it.
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("""
                CREATE TABLE ingest_records (
                    gw text NOT NULL, lane text NOT NULL, epoch text NOT NULL, seq bigint NOT NULL,
                    hash text NOT NULL, kind text NOT NULL, site text NOT NULL, ts timestamptz NULL,
                    patient text NULL, code text NULL, payload bytea NOT NULL, received_at timestamptz NOT NULL,
                    PRIMARY KEY (gw, lane, epoch, seq));
                CREATE INDEX ingest_records_patient ON ingest_records (patient, ts) WHERE patient IS NOT NULL;
                CREATE INDEX ingest_records_checkpoints ON ingest_records (gw, lane, epoch, seq) WHERE kind = 'checkpoint';
                INSERT INTO ingest_records VALUES ('gw-a', 'telemetry', repeat('a', 32), 0, 'old', 'genesis', 'site', NULL, NULL, NULL, '\x01', '2026-11-20 10:00+00');
                """, conn);
            await cmd.ExecuteNonQueryAsync();
        }

        await using var store = new PostgresIngestStore(connection, new FakeTimeProvider(Day0), partitioned: true);
        await store.InitializeAsync(default);
        var logger = new FakeLogger<StoreStartup>();
        await using var again = new PostgresIngestStore(connection, new FakeTimeProvider(Day0), partitioned: true);
        await new StoreStartup(again, logger).StartAsync(default);

        Assert.Equal("ingest_records was not partitioned (an ingest before issue 13 created it): its 1 records are now the partition ingest_records_before_20261128 (received before 2026-11-28 UTC); new records go to daily partitions", store.Migrated);
        Assert.Null(again.Migrated); // the second start finds it done
        Assert.Empty(logger.Collector.GetSnapshot());
        Assert.False(await InsertAsync(store, Record(A, 0, "new", Day0.AddDays(1))));
        Assert.True(await InsertAsync(store, Record(A, 1, "a1", Day0.AddDays(1))));
        Assert.Equal([(0L, "old", "ingest_records_before_20261128"), (1L, "a1", PostgresRecordPartitions.DayName(Day0.AddDays(1)))], await RowsAsync(connection));
    }

    [Fact]
    public async Task StoreStartup_LogsTheMigration()
    {
        var connection = await pg.CreateDatabaseAsync();
        await using (var conn = new NpgsqlConnection(connection))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("CREATE TABLE ingest_records (gw text NOT NULL, lane text NOT NULL, epoch text NOT NULL, seq bigint NOT NULL, hash text NOT NULL, kind text NOT NULL, site text NOT NULL, ts timestamptz NULL, patient text NULL, code text NULL, payload bytea NOT NULL, received_at timestamptz NOT NULL, PRIMARY KEY (gw, lane, epoch, seq))", conn);
            await cmd.ExecuteNonQueryAsync();
        }

        await using var store = new PostgresIngestStore(connection, new FakeTimeProvider(Day0), partitioned: true);
        var logger = new FakeLogger<StoreStartup>();
        await new StoreStartup(store, logger).StartAsync(default);

        var line = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal(7340, line.Id.Id);
        Assert.Contains("its 0 records are now the partition ingest_records_before_20261128", line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutRetention_TheRecordsTableIsNotPartitioned_ItsKeyRefusesASecondRecordAtASeq_AndRoundsMakeNoDays()
    {
        // Without Ingest:Retention nothing is ever dropped: days would only add an index for every
        // look-up by chain and seq to probe, one more each day.
        var connection = await pg.CreateDatabaseAsync();
        await using var store = new PostgresIngestStore(connection, new FakeTimeProvider(Day0));
        await store.InitializeAsync(default);
        Assert.True(await InsertAsync(store, Record(A, 0, "a0", Day0)));

        var round = await store.MaintainAsync(Day0.AddDays(3), null, default);

        Assert.Empty(round.Created);
        Assert.Equal("r", await ScalarAsync<string>(connection, "SELECT relkind::text FROM pg_class WHERE oid = 'ingest_records'::regclass"));
        Assert.Equal(0L, await ScalarAsync<long>(connection, "SELECT count(*) FROM pg_inherits WHERE inhparent = 'ingest_records'::regclass"));
        var refused = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync<int>(connection,
            $"INSERT INTO ingest_records VALUES ('gw-a', 'telemetry', '{new string('a', 32)}', 0, 'other', 'obs', 'site', NULL, NULL, NULL, '\\x01', now()) RETURNING 1"));
        Assert.Equal(PostgresErrorCodes.UniqueViolation, refused.SqlState);
        Assert.Equal([(0L, "a0", "ingest_records")], await RowsAsync(connection));

        // Retention switched on later: the table becomes the first partition, as an older ingest's does.
        await using var later = new PostgresIngestStore(connection, new FakeTimeProvider(Day0.AddDays(3)), partitioned: true);
        await later.InitializeAsync(default);
        Assert.StartsWith("ingest_records was not partitioned", later.Migrated, StringComparison.Ordinal);
        Assert.Equal("p", await ScalarAsync<string>(connection, "SELECT relkind::text FROM pg_class WHERE oid = 'ingest_records'::regclass"));
    }

    private static async Task<T> ScalarAsync<T>(string connection, string sql)
    {
        await using var conn = new NpgsqlConnection(connection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    private async Task<(PostgresIngestStore Store, string Connection)> OpenAsync(DateTimeOffset now)
    {
        var connection = await pg.CreateDatabaseAsync();
        var store = new PostgresIngestStore(connection, new FakeTimeProvider(now), partitioned: true);
        await store.InitializeAsync(default);
        return (store, connection);
    }

    private static Task<bool> InsertAsync(IIngestStore store, RecordRow r, long? verifiedThrough = null) =>
        store.WriteAsync([r.Chain], "site", async s =>
        {
            var ok = await s.TryInsertRecordAsync(r);
            if (verifiedThrough is { } v)
            {
                s.SetChain(s.Chain(r.Chain) with { VerifiedThrough = v });
            }

            return ok;
        }, default);

    private static RecordRow Record(ChainId chain, long seq, string hash, DateTimeOffset receivedAt) =>
        new(chain, seq, hash, "obs", "site", null, null, null, [1], receivedAt);

    /// <summary>(seq, hash, partition) of every stored record, by chain and seq.</summary>
    private static async Task<List<(long, string, string)>> RowsAsync(string connection)
    {
        await using var conn = new NpgsqlConnection(connection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT seq, hash, tableoid::regclass::text FROM ingest_records ORDER BY seq, gw", conn);
        await using var r = await cmd.ExecuteReaderAsync();
        var rows = new List<(long, string, string)>();
        while (await r.ReadAsync())
        {
            rows.Add((r.GetInt64(0), r.GetString(1), r.GetString(2)));
        }

        return rows;
    }
}
