namespace EdgeTwin.Ingest.Tests.Storage;

using EdgeTwin.Ingest.Options;
using EdgeTwin.Ingest.Processing;
using EdgeTwin.Ingest.Storage.Postgres;
using EdgeTwin.Ingest.Tests.Integration;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Ingest.Topics;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

/// <summary>
/// Issue 13, ninth pass: a batch's statements are prepared on the batches' connections
/// (<see cref="PostgresWriteSource"/>), on a real PostgreSQL. They stay correct when the session goes
/// (a new connection prepares them again), when partitions are made and dropped under them, and the
/// look-ups of stored records probe the key index even when planned while the table was empty.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresPreparedStatementsTests(PostgresFixture pg)
{
    private static readonly DateTimeOffset Day0 = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static readonly CheckpointPolicy EveryFour = new() { MaxRecords = 4, MaxDelay = TimeSpan.FromHours(1) };

    // Statements every batch of this test runs (several records of one chain each: the look-up of its highest stored seq), by a piece of their text.
    private static readonly string[] BatchStatements = ["FOR UPDATE OF c", "ORDER BY r.seq DESC LIMIT 1", "UPDATE ingest_chains c SET"];

    [Fact]
    public async Task BatchStatements_ArePrepared_AndPreparedAgainOnANewConnectionAfterTheSessionIsKilled_EveryRecordStoredOnceAndVerified()
    {
        var connection = await pg.CreateDatabaseAsync();
        await using var store = new PostgresIngestStore(connection);
        await store.InitializeAsync(default);
        using var g = new SimulatedGateway("ward7", "bed-01", Day0, policy: EveryFour);
        var processor = Processor(store, g, Day0);
        var sent = new List<ChainRecord> { g.All.Single(r => r.Lane == Lane.Telemetry) };

        // Before: nothing prepared. Six batches: each statement used more often than Npgsql's threshold (5).
        Assert.Empty((await store.WriteConnectionAsync(default)).Prepared);
        for (var i = 0; i < 6; i++)
        {
            sent.AddRange(await SendAsync(processor, g, Day0, i == 0 ? sent : []));
        }

        var (pid, prepared) = await store.WriteConnectionAsync(default);
        Assert.All(BatchStatements, s => Assert.Contains(prepared, p => p.Contains(s, StringComparison.Ordinal)));

        // The session ends under the pool (a restarted server, a network cut): the next batch fails at most
        // once, as any batch on a lost connection does (the worker retries it, unacknowledged), then goes on.
        await using (var admin = new NpgsqlConnection(pg.AdminConnectionString))
        {
            await admin.OpenAsync();
            await using var kill = new NpgsqlCommand("SELECT pg_terminate_backend($1, 10000)", admin) { Parameters = { new() { Value = pid } } };
            Assert.True((bool)(await kill.ExecuteScalarAsync())!);
        }

        var batch = g.ProduceObs(4, Day0);
        sent.AddRange(batch);
        var failures = 0;
        while (true)
        {
            try
            {
                await processor.ProcessAsync([.. batch.Select(r => Message(g, r, Day0))], default);
                break;
            }
            catch (NpgsqlException) when (failures++ == 0)
            {
            }
        }

        for (var i = 0; i < 6; i++)
        {
            sent.AddRange(await SendAsync(processor, g, Day0, []));
        }

        sent.AddRange(await SealAsync(processor, g, Day0));
        var (newPid, preparedAgain) = await store.WriteConnectionAsync(default);
        Assert.NotEqual(pid, newPid);
        Assert.All(BatchStatements, s => Assert.Contains(preparedAgain, p => p.Contains(s, StringComparison.Ordinal)));
        Assert.Equal(sent.Count, await ScalarAsync<long>(connection, "SELECT count(DISTINCT seq) FROM ingest_records"));
        Assert.Equal(sent.Count, await ScalarAsync<long>(connection, "SELECT count(*) FROM ingest_records"));
        var chain = (await store.ChainsAsync(g.Gw, default)).Single();
        Assert.Equal((sent[^1].Seq - 1, 0L), (chain.VerifiedThrough, chain.Missing)); // through the record before the last checkpoint
    }

    [Fact]
    public async Task PreparedBatchStatements_PartitionsMadeAndDroppedMidRun_RecordsGoToTheNewDaysPartition_EveryRecordStoredOnceAndVerified()
    {
        var connection = await pg.CreateDatabaseAsync();
        await using var store = new PostgresIngestStore(connection, new FakeTimeProvider(Day0), partitioned: true);
        await store.InitializeAsync(default);
        using var g = new SimulatedGateway("ward7", "bed-02", Day0, policy: EveryFour);
        var processor = Processor(store, g, Day0);
        var first = new List<ChainRecord> { g.All.Single(r => r.Lane == Lane.Telemetry) };
        for (var i = 0; i < 6; i++)
        {
            first.AddRange(await SendAsync(processor, g, Day0, i == 0 ? first : []));
        }

        first.AddRange(await SealAsync(processor, g, Day0));
        Assert.Contains((await store.WriteConnectionAsync(default)).Prepared, p => p.Contains(BatchStatements[1], StringComparison.Ordinal));

        // Three days on: the hourly round makes the new days' partitions and drops the empty ones a day
        // kept lets go (day 0 holds its last checkpoint, which no later one covers yet), while the batches'
        // statements stay prepared on their connection.
        var day3 = Day0.AddDays(3);
        var round = await store.MaintainAsync(day3, TimeSpan.FromDays(1), default);
        Assert.Contains(PostgresRecordPartitions.DayName(day3), round.Created);
        Assert.Equal([PostgresRecordPartitions.DayName(Day0.AddDays(-1)), PostgresRecordPartitions.DayName(Day0.AddDays(1))], round.Dropped.Select(d => d.Name));
        Assert.Equal([PostgresRecordPartitions.DayName(Day0)], round.KeptUnverified);

        processor = Processor(store, g, day3);
        var later = new List<ChainRecord>();
        for (var i = 0; i < 6; i++)
        {
            later.AddRange(await SendAsync(processor, g, day3, []));
        }

        // Day 0 is verified now: the next round drops it, under the prepared statements too.
        round = await store.MaintainAsync(day3, TimeSpan.FromDays(1), default);
        Assert.Equal([PostgresRecordPartitions.DayName(Day0)], round.Dropped.Select(d => d.Name));
        for (var i = 0; i < 2; i++)
        {
            later.AddRange(await SendAsync(processor, g, day3, []));
        }

        later.AddRange(await SealAsync(processor, g, day3));
        Assert.Equal([(PostgresRecordPartitions.DayName(day3), (long)later.Count)], await PartitionsAsync(connection));
        Assert.Equal(later.Count, await ScalarAsync<long>(connection, "SELECT count(DISTINCT seq) FROM ingest_records"));
        var chain = (await store.ChainsAsync(g.Gw, default)).Single();
        Assert.Equal((later[^1].Seq - 1, 0L), (chain.VerifiedThrough, chain.Missing));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StoredRecordLookups_PlannedForEveryCallWhileTheTableIsEmpty_ProbeTheKeyIndex_NeverScanOrHashTheTable(bool partitioned)
    {
        var connection = await pg.CreateDatabaseAsync();
        await using (var store = new PostgresIngestStore(connection, new FakeTimeProvider(Day0), partitioned))
        {
            await store.InitializeAsync(default);
        }

        // A generic plan (as a prepared statement gets) made now is kept while the table grows.
        await using var conn = new NpgsqlConnection(connection);
        await conn.OpenAsync();
        await ExecuteAsync(conn, "SET plan_cache_mode = force_generic_plan");
        await ExecuteAsync(conn, $"PREPARE stored_keys (text[], text[], text[], bigint[]) AS {PostgresWriteSession.StoredKeysSql}");
        await ExecuteAsync(conn, $"PREPARE stored_hashes (text[], text[], text[], bigint[], bigint[]) AS {PostgresWriteSession.StoredHashesSql}");
        await ExecuteAsync(conn, $"PREPARE stored_tops (text[], text[], text[]) AS {PostgresWriteSession.StoredTopsSql}");
        foreach (var plan in new[]
        {
            await PlanAsync(conn, "EXPLAIN EXECUTE stored_keys ('{gw}', '{telemetry}', '{e}', '{1}')"),
            await PlanAsync(conn, "EXPLAIN EXECUTE stored_hashes ('{gw}', '{telemetry}', '{e}', '{1}', '{9}')"),
            await PlanAsync(conn, "EXPLAIN EXECUTE stored_tops ('{gw}', '{telemetry}', '{e}')"),
        })
        {
            Assert.Contains("Index", plan, StringComparison.Ordinal);
            Assert.DoesNotContain("Seq Scan", plan, StringComparison.Ordinal);
            Assert.DoesNotContain("Hash", plan, StringComparison.Ordinal);
        }
    }

    private static BatchProcessor Processor(PostgresIngestStore store, SimulatedGateway g, DateTimeOffset now)
    {
        var options = new IngestOptions();
        options.Enrolled[g.Gw] = g.Key.Address;
        return new BatchProcessor(store, new FixedOptionsMonitor<IngestOptions>(options), new FakeTimeProvider(now));
    }

    /// <summary>Four observations and their checkpoint (after <paramref name="before"/>) in one batch received at <paramref name="at"/>; returns the new records.</summary>
    private static async Task<List<ChainRecord>> SendAsync(BatchProcessor processor, SimulatedGateway g, DateTimeOffset at, IReadOnlyList<ChainRecord> before)
    {
        var records = g.ProduceObs(4, at);
        var result = await processor.ProcessAsync([.. before.Concat(records).Select(r => Message(g, r, at))], default);
        Assert.Equal(before.Count + records.Count, result.Stored);
        return records;
    }

    /// <summary>A checkpoint over the gateway's uncovered records (if any), alone in a batch: the chain verified to its last record.</summary>
    private static async Task<List<ChainRecord>> SealAsync(BatchProcessor processor, SimulatedGateway g, DateTimeOffset at)
    {
        if (g.Telemetry.Checkpoint(at, ClockQuality.Synced) is not { } checkpoint)
        {
            return []; // the last record was one
        }

        Assert.Equal(1, (await processor.ProcessAsync([Message(g, checkpoint, at)], default)).Stored);
        return [checkpoint];
    }

    private static IncomingMessage Message(SimulatedGateway g, ChainRecord r, DateTimeOffset receivedAt)
    {
        var topic = SimulatedGateway.Topic("edgetwin/v1", g.Site, g.Gw, r.Lane);
        Assert.True(TopicName.TryParse("edgetwin/v1", topic, out var name));
        return new IncomingMessage(topic, name!, r.Payload, receivedAt);
    }

    private static async Task ExecuteAsync(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<string> PlanAsync(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }

        return string.Join('\n', lines);
    }

    private static async Task<T> ScalarAsync<T>(string connection, string sql)
    {
        await using var conn = new NpgsqlConnection(connection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>(partition, records) of every partition holding records.</summary>
    private static async Task<List<(string, long)>> PartitionsAsync(string connection)
    {
        await using var conn = new NpgsqlConnection(connection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT tableoid::regclass::text, count(*) FROM ingest_records GROUP BY 1 ORDER BY 1", conn);
        await using var r = await cmd.ExecuteReaderAsync();
        var rows = new List<(string, long)>();
        while (await r.ReadAsync())
        {
            rows.Add((r.GetString(0), r.GetInt64(1)));
        }

        return rows;
    }
}
