namespace EdgeTwin.Ingest.Tests.Processing;

using System.Collections.Concurrent;
using EdgeTwin.Ingest.Alerts;
using EdgeTwin.Ingest.Metrics;
using EdgeTwin.Ingest.Monitoring;
using EdgeTwin.Ingest.Options;
using EdgeTwin.Ingest.Resend;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Ingest.Storage.Postgres;
using EdgeTwin.Ingest.Tests.Integration;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Npgsql;
using static ProcessorHarness;

/// <summary>
/// A chain row gone under a running worker (a database restored from a backup taken before the chain
/// began): the worker still holds the chain's verifier, so its next batch skips the row's INSERT
/// (<c>PostgresWriteSession.LockChainsAsync</c>), the lock finds no row and fails the batch, the worker
/// drops its verifiers, and the retry creates the row and stores the batch. What the chain then is:
/// a chain the ingest holds nothing of before that batch, so it waits for the seqs it lost (which the
/// gateway deleted when their receipts came) and says so as an <c>uncovered-gap</c>, and asks for them.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class VanishedChainRowTests(PostgresFixture pg, MosquittoFixture broker)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static readonly CheckpointPolicy EveryFour = new() { MaxRecords = 4, MaxDelay = TimeSpan.FromHours(1) };

    /// <param name="recordsToo">
    /// false: only the chain row is deleted (the case the code's comment names); true: the row and the
    /// chain's records, as a restore of a backup taken before the chain began leaves it.
    /// </param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ChainRowDeletedUnderTheWorker_NextBatchFailsOnceAsVanished_RetryStoresEachRecordOnce_ChainWaitsForWhatItLostAndRaisesUncoveredGap(bool recordsToo)
    {
        using var g = new SimulatedGateway("ward7", "bed-77", T0, policy: EveryFour);
        var connection = await pg.CreateDatabaseAsync();
        await using var h = await CreateAsync(_ => new PostgresIngestStore(connection), g);
        var chain = new ChainId(g.Gw, "telemetry", g.Telemetry.State.Epoch);

        // Two batches, each ending with a checkpoint (genesis, 3 obs, checkpoint 4 | 4 obs, checkpoint 9):
        // verified and receipted through 8; the worker holds the chain's state it exported.
        var first = Telemetry(g.All.Concat(g.ProduceObs(3, T0)));
        Assert.Equal(3, Assert.Single((await h.SendAsync(g, first)).Receipts).Seq);
        var second = Telemetry(g.ProduceObs(4, T0));
        Assert.Equal(8, Assert.Single((await h.SendAsync(g, second)).Receipts).Seq);
        Assert.Equal((8L, 8L), ((await h.ChainAsync(g, Lane.Telemetry)).VerifiedThrough, (await h.ChainAsync(g, Lane.Telemetry)).ReceiptedThrough));

        // Behind the worker's back.
        await ExecuteAsync(connection, "DELETE FROM ingest_chains WHERE gw = $1 AND lane = $2 AND epoch = $3", chain);
        if (recordsToo)
        {
            await ExecuteAsync(connection, "DELETE FROM ingest_records WHERE gw = $1 AND lane = $2 AND epoch = $3", chain);
        }

        var before = recordsToo ? 0 : 10;
        Assert.Equal(before, await h.Store.RecordCountAsync(default));

        // The next batch (obs 10-13, checkpoint 14): the lock finds no row; the transaction is rolled back.
        var third = Telemetry(g.ProduceObs(4, T0));
        Assert.Equal((10L, 14L), (third[0].Seq, third[^1].Seq));
        var failure = await Assert.ThrowsAsync<ChainRowVanishedException>(() => h.SendAsync(g, third));
        Assert.Equal($"Chain row {chain} vanished while being locked.", failure.Message);
        Assert.Equal(before, await h.Store.RecordCountAsync(default));
        Assert.Empty(await h.Store.ChainsAsync(g.Gw, default));

        // The retry (the worker's, after 7005): the row is created and every record of the batch stored
        // once; no receipt, since nothing of the chain verifies without the seqs before it.
        var retry = await h.SendAsync(g, third);
        Assert.Equal((5, 0, 0), (retry.Stored, retry.Duplicates, retry.Evidence));
        Assert.Empty(retry.Receipts);

        // And says what happened, in the retry's own transaction: one chain-row-lost alert for the chain.
        var lost = Assert.Single(retry.Alerts);
        Assert.Equal((AlertKind.ChainRowLost, g.Gw, chain.Lane, chain.Epoch), (lost.Kind, lost.Gw, lost.Lane, lost.Epoch));
        Assert.StartsWith("chain-row-lost: the chain's row vanished while this worker held its state", lost.Detail, StringComparison.Ordinal);
        Assert.Single(await h.Store.AlertsAsync(0, 100, default), a => a.Kind == AlertKind.ChainRowLost);
        Assert.Equal(before + 5, await h.Store.RecordCountAsync(default));
        Assert.Equal(Enumerable.Range(recordsToo ? 10 : 0, before + 5).Select(s => ((long)s, 1L)), await StoredSeqsAsync(connection, chain));

        // Verification starts again from nothing: the verified seqs 0-9 are forgotten (with the row kept
        // records, they are stored but no longer data), ten seqs missing since this batch, none receipted.
        var row = await h.ChainAsync(g, Lane.Telemetry);
        Assert.Equal((5L, -1L, 0L, 5L, 10L, -1L), (row.Received, row.VerifiedThrough, row.Verified, row.Pending, row.Missing, row.ReceiptedThrough));
        Assert.Equal(T0, row.MissingSince);

        // Said loudly, though as what it looks like rather than what it is: the re-send requests ask for
        // 0-9 (which the gateway deleted on receipts 3 and 8: it answers not-held), and once GapTimeout
        // has passed the watchdog raises uncovered-gap (stored, logged as 7100, counted).
        Assert.Equal([(0L, 9L)], ResendPlanner.Missing(row.DecodeState(), reportedHead: null));
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var alerts = new MetricCollector<long>(meters, IngestMetrics.MeterName, "edgetwin.ingest.alerts");
        var log = new FakeLogger<AlertPublisher>();
        var watchdog = new ChainWatchdog(h.Store, new FixedOptionsMonitor<IngestOptions>(h.Options), new AlertPublisher(log, new IngestMetrics(meters)), h.Time, new FakeLogger<ChainWatchdog>());
        h.Time.Advance(h.Options.GapTimeout - TimeSpan.FromSeconds(1));
        Assert.DoesNotContain(await watchdog.ScanAsync(default), a => a.Kind == AlertKind.UncoveredGap);
        h.Time.Advance(TimeSpan.FromSeconds(1));
        var gap = Assert.Single(await watchdog.ScanAsync(default), a => a.Kind == AlertKind.UncoveredGap);
        Assert.Equal((g.Gw, chain.Lane, chain.Epoch, (long?)0), (gap.Gw, gap.Lane, gap.Epoch, gap.Seq));
        Assert.StartsWith("10 seqs missing since", gap.Detail, StringComparison.Ordinal);
        Assert.Single(log.Collector.GetSnapshot(), l => l.Id.Id == 7100 && l.Message.Contains(AlertKind.UncoveredGap, StringComparison.Ordinal));
        Assert.Single(alerts.GetMeasurementSnapshot(), m => (string?)m.Tags["kind"] == AlertKind.UncoveredGap);

        // The row-lost alert was said once: the chain's next batch raises none.
        Assert.DoesNotContain((await h.SendAsync(g, Telemetry(g.ProduceObs(1, T0)))).Alerts, a => a.Kind == AlertKind.ChainRowLost);
    }

    [Fact]
    public async Task ChainRowAndRecordsDeletedUnderTheRunningWorker_TheBatchIsLoggedAs7005AndHeldUnacknowledged_TheRetryStoresEachRecordOnceThenAcknowledges()
    {
        // The real worker (real mosquitto, PostgreSQL): its retry loop, its 7005 line, its PUBACKs.
        var now = DateTimeOffset.UtcNow;
        using var g = new SimulatedGateway("ward7", "bed-78", now, policy: EveryFour);
        var connection = await pg.CreateDatabaseAsync();
        var chain = new ChainId(g.Gw, "telemetry", g.Telemetry.State.Epoch);
        var keys = Directory.CreateTempSubdirectory("edgetwin-vanished-").FullName;
        var log = new FailureLog(connection, chain);
        await using var ingest = await InProcessIngest.StartAsync(broker.Uri,
            [InProcessIngest.NoProbe, $"--Ingest:Storage=postgres:{connection}", $"--Ingest:KeyFile={keys}/ingest.key", $"--Ingest:Enrolled:{g.Gw}={g.Key.Address}"],
            services => services.AddLogging(b => b.AddProvider(log)));
        using var inFlight = new MetricCollector<long>(ingest.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), IngestMetrics.MeterName, "edgetwin.ingest.inflight");
        log.InFlight = () => inFlight.GetMeasurementSnapshot().Sum(m => m.Value);
        using var batchesFailed = new MetricCollector<long>(ingest.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), IngestMetrics.MeterName, "edgetwin.ingest.batches.failed");
        await using var mqtt = await TestMqttClient.ConnectAsync(broker.Port);
        mqtt.Track(g);

        // Seqs 0-9 stored, verified and receipted through 8, every message acknowledged: the worker holds the chain's state.
        foreach (var r in Telemetry(g.All.Concat(g.ProduceObs(3, now)).Concat(g.ProduceObs(4, now))))
        {
            await mqtt.PublishAsync(g, r);
        }

        await InProcessIngest.EventuallyAsync(() => Task.FromResult(g.ReceiptedThrough(Lane.Telemetry) == 8 && log.InFlight() == 0), Wait,
            () => $"receipted through 8 and nothing held (now {g.ReceiptedThrough(Lane.Telemetry)}, {log.InFlight()} held)");
        Assert.Empty(log.Failures);

        // A restore of a backup taken before the chain began: its row and its records gone.
        await ExecuteAsync(connection, "DELETE FROM ingest_chains WHERE gw = $1 AND lane = $2 AND epoch = $3", chain);
        await ExecuteAsync(connection, "DELETE FROM ingest_records WHERE gw = $1 AND lane = $2 AND epoch = $3", chain);
        var third = Telemetry(g.ProduceObs(4, now));
        foreach (var r in third)
        {
            await mqtt.PublishAsync(g, r);
        }

        await InProcessIngest.EventuallyAsync(async () => (await StoredSeqsAsync(connection, chain)).Count == 5 && log.InFlight() == 0, Wait,
            () => $"seqs 10-14 stored and acknowledged (now {string.Join(",", StoredSeqsAsync(connection, chain).GetAwaiter().GetResult())}, {log.InFlight()} held)");

        // One failure, logged as 7005 with the vanished row; while it was logged, nothing of the batch was
        // stored and every message of it was still held unacknowledged (the in-flight count).
        var failure = Assert.Single(log.Failures);
        Assert.Equal($"Chain row {chain} vanished while being locked.", failure.Error.Message);
        Assert.IsType<ChainRowVanishedException>(failure.Error);
        Assert.Equal(0, failure.StoredOfTheChain);
        Assert.InRange(failure.Count, 1, 5);
        Assert.True(failure.InFlight >= failure.Count, $"{failure.InFlight} held while a batch of {failure.Count} failed");

        // Counted too, by the error's type (for an alert on a batch that keeps failing).
        var counted = Assert.Single(batchesFailed.GetMeasurementSnapshot());
        Assert.Equal((1L, nameof(ChainRowVanishedException)), (counted.Value, counted.Tags["error"]));

        // The retry stored each record once, and (as the chain starts from nothing) no receipt went beyond 8.
        Assert.Equal(Enumerable.Range(10, 5).Select(s => ((long)s, 1L)), await StoredSeqsAsync(connection, chain));
        Assert.DoesNotContain(mqtt.Receipts, r => r.Seq > 8);
        var row = (await ingest.Store.ChainsAsync(g.Gw, default)).Single(c => c.Id == chain);
        Assert.Equal((5L, -1L, 10L), (row.Received, row.VerifiedThrough, row.Missing));
        Assert.Single(await ingest.Store.AlertsAsync(0, 100, default), a => a.Kind == AlertKind.ChainRowLost && a.Gw == g.Gw && a.Epoch == chain.Epoch);
        Directory.Delete(keys, recursive: true);
    }

    private static List<ChainRecord> Telemetry(IEnumerable<ChainRecord> records) => [.. records.Where(r => r.Lane == Lane.Telemetry)];

    private static async Task ExecuteAsync(string connection, string sql, ChainId chain)
    {
        await using var conn = new NpgsqlConnection(connection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn) { Parameters = { new() { Value = chain.Gw }, new() { Value = chain.Lane }, new() { Value = chain.Epoch } } };
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Each stored seq of the chain with how many records it has, in order.</summary>
    private static async Task<List<(long Seq, long Count)>> StoredSeqsAsync(string connection, ChainId chain)
    {
        await using var conn = new NpgsqlConnection(connection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT seq, count(*) FROM ingest_records WHERE gw = $1 AND lane = $2 AND epoch = $3 GROUP BY seq ORDER BY seq", conn)
        {
            Parameters = { new() { Value = chain.Gw }, new() { Value = chain.Lane }, new() { Value = chain.Epoch } },
        };
        var rows = new List<(long, long)>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetInt64(0), reader.GetInt64(1)));
        }

        return rows;
    }

    /// <summary>
    /// The worker's 7005 lines ("Storing a batch of N failed"), each with what was true as it was written:
    /// the chain's stored records and the messages held unacknowledged.
    /// </summary>
    private sealed class FailureLog(string connection, ChainId chain) : ILoggerProvider
    {
        public ConcurrentQueue<(Exception Error, int Count, int StoredOfTheChain, long InFlight)> Failures { get; } = new();

        public Func<long> InFlight { get; set; } = () => 0;

        /// <summary>How many of the chain's records are stored now (read while the lane waits in the log call).</summary>
        public int StoredOfTheChain() => StoredSeqsAsync(connection, chain).GetAwaiter().GetResult().Count;

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(FailureLog owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (eventId.Id != 7005)
                {
                    return;
                }

                // Written by the store lane before its back-off: the retry waits for this look.
                var count = state is IReadOnlyList<KeyValuePair<string, object?>> fields ? Convert.ToInt32(fields.Single(f => f.Key == "Count").Value, System.Globalization.CultureInfo.InvariantCulture) : -1;
                var stored = owner.StoredOfTheChain();
                owner.Failures.Enqueue((exception!, count, stored, owner.InFlight()));
            }
        }
    }
}
