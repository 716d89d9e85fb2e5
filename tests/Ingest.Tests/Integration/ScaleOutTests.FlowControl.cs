namespace EdgeTwin.Ingest.Tests.Integration;

using EdgeTwin.Ingest.Mqtt;
using EdgeTwin.Ingest.Tests.Support;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using MQTTnet.Protocol;
using Npgsql;

/// <summary>
/// Issue 13: a slow database slows the broker's delivery rather than growing the worker's memory.
/// The broker sets no in-flight limit of its own (max_inflight_messages 0, as the whole-system run's),
/// so only the worker's MQTT 5 Receive Maximum holds it back while the store stage waits on chain rows
/// the test locks in PostgreSQL.
/// </summary>
public sealed partial class ScaleOutTests
{
    [Theory]
    [InlineData(null)]
    [InlineData(40)]
    public async Task StoreBlocked_WorkerHoldsAtMostItsReceiveMaximumUnacknowledged_TheRestWaitsAtTheBroker_ThenEveryRecordStoredOnce(int? receiveWindow)
    {
        // Ingest:BatchSize alone: six batches; with Ingest:ReceiveWindow, that window.
        const int batchSize = 16;
        var window = receiveWindow ?? FlowControl.ReceiveMaximum(batchSize);
        var connection = await _pg.CreateDatabaseAsync();
        var now = DateTimeOffset.UtcNow;
        using var g = Gateway16("site-f", "gw-flow", now);
        var broker = new MosquittoFixture(maxInflightMessages: 0);
        await broker.InitializeAsync();
        try
        {
            await using var ingest = await InProcessIngest.StartAsync(broker.Uri, [InProcessIngest.NoProbe, $"--Ingest:Storage=postgres:{connection}", $"--Ingest:BatchSize={batchSize}", $"--Ingest:Enrolled:{g.Gw}={g.Key.Address}",
                .. receiveWindow is { } w ? [$"--Ingest:ReceiveWindow={w}"] : Array.Empty<string>()]);
            using var inFlight = Counted(ingest, "edgetwin.ingest.inflight");
            using var records = Counted(ingest, "edgetwin.ingest.records");
            await using var check = NpgsqlDataSource.Create(connection);
            await using var mqtt = await TestMqttClient.ConnectAsync(broker.Port);

            // The test holds the chains table before anything arrives: the worker's first batch waits inside
            // its transaction. (No acknowledgement may reach the broker while it queues: mosquitto before 2.0.13
            // then sends more than the window, docs/ingest.md "Flow control".)
            await using var blocker = await check.OpenConnectionAsync();
            await using var hold = await HoldChainsAsync(blocker);

            g.ProduceObs(window * 5, now);
            g.Seal(now);
            foreach (var r in g.All)
            {
                await mqtt.PublishAsync(g, r);
            }

            await Until(async () => await WaitingOnALockAsync(check) > 0, "the worker's batch waiting on the held chain rows");

            // A QoS 0 message is not held back by the in-flight window: the broker sends it at once, after
            // every QoS 1 message it was willing to send (one socket, in order), and the worker's callback
            // takes messages in that order. So once the worker has seen it, it has counted all the broker sent.
            await mqtt.PublishAsync($"{TestMqttClient.Prefix}/SITE-F/{g.Gw}/telemetry", "{}"u8.ToArray(), qos: MqttQualityOfServiceLevel.AtMostOnce);
            await Until(() => Task.FromResult(records.GetMeasurementSnapshot().Any(m => Equals(m.Tags["outcome"], "bad-topic"))), "the QoS 0 marker seen by the worker");

            Assert.Equal(window, Held(inFlight));
            Assert.Equal(window, MaxHeld(inFlight));
            Assert.Equal(0, await StoredAsync(check));

            await hold.RollbackAsync();
            await Until(async () => await StoredAsync(check) == g.All.Count && Held(inFlight) == 0, $"all {g.All.Count} records stored and acknowledged after the lock went");
            Assert.Equal(g.All.Select(r => $"{g.Gw}|{Lane(r)}|{r.Epoch}|{r.Seq}|{r.Hash}").Order().ToList(), (await StoredRecordsAsync(check)).Order().ToList());
            await using (var cmd = check.CreateCommand("SELECT verified_through FROM ingest_chains WHERE lane = 'telemetry'"))
            {
                await Until(async () => (long)(await cmd.ExecuteScalarAsync())! == g.Telemetry.State.Seq - 1, "the telemetry chain verified to its last record");
            }
        }
        finally
        {
            await broker.DisposeAsync();
        }
    }

    [Fact]
    public async Task Qos0Flood_WhileTheStoreIsBlocked_IsDroppedAndCounted_TheWorkerTakesNoneAndKeepsReading()
    {
        var connection = await _pg.CreateDatabaseAsync();
        var now = DateTimeOffset.UtcNow;
        using var g = Gateway16("site-q", "gw-qos1", now);
        using var flood = Gateway16("site-q", "gw-qos0", now);
        await using var ingest = await InProcessIngest.StartAsync(_broker.Uri, [InProcessIngest.NoProbe,
            $"--Ingest:Storage=postgres:{connection}", "--Ingest:BatchSize=16",
            $"--Ingest:Enrolled:{g.Gw}={g.Key.Address}", $"--Ingest:Enrolled:{flood.Gw}={flood.Key.Address}"]);
        using var inFlight = Counted(ingest, "edgetwin.ingest.inflight");
        using var records = Counted(ingest, "edgetwin.ingest.records");
        await using var check = NpgsqlDataSource.Create(connection);
        await using var mqtt = await TestMqttClient.ConnectAsync(_broker.Port);
        await using var blocker = await check.OpenConnectionAsync();
        await using var hold = await HoldChainsAsync(blocker);

        // One QoS 1 record, its batch waiting on the held chain rows; then three receive windows of
        // genuine, signed records at QoS 0, which no window holds back.
        g.ProduceObs(1, now);
        await mqtt.PublishAsync(g, g.All[0]);
        await Until(async () => await WaitingOnALockAsync(check) > 0, "the worker's batch waiting on the held chain rows");
        flood.ProduceObs(FlowControl.ReceiveMaximum(16) * 3, now);
        foreach (var r in flood.All)
        {
            await mqtt.PublishAsync(SimulatedGateway.Topic(TestMqttClient.Prefix, flood.Site, flood.Gw, r.Lane), r.Payload, qos: MqttQualityOfServiceLevel.AtMostOnce);
        }

        // The callback still reads: a QoS 0 marker after the flood reaches it while the store is blocked.
        await mqtt.PublishAsync($"{TestMqttClient.Prefix}/SITE-Q/{g.Gw}/telemetry", "{}"u8.ToArray(), qos: MqttQualityOfServiceLevel.AtMostOnce);
        long Outcome(string outcome) => records.GetMeasurementSnapshot().Where(m => Equals(m.Tags["outcome"], outcome)).Sum(m => m.Value);
        await Until(() => Task.FromResult(Outcome("bad-topic") == 1), "the QoS 0 marker seen by the worker with its store blocked");
        Assert.Equal(flood.All.Count, Outcome("qos0-dropped"));
        Assert.Equal(1, Held(inFlight));

        await hold.RollbackAsync();
        await Until(async () => await StoredAsync(check) == 1 && Held(inFlight) == 0, "the one QoS 1 record stored and acknowledged after the lock went");
        Assert.Equal([$"{g.Gw}|{Lane(g.All[0])}|{g.All[0].Epoch}|{g.All[0].Seq}|{g.All[0].Hash}"], await StoredRecordsAsync(check));
    }

    /// <summary>Locks the chains table in a transaction of the test's own: a worker's batch then waits inside its transaction until the returned one ends.</summary>
    private static async Task<NpgsqlTransaction> HoldChainsAsync(NpgsqlConnection blocker)
    {
        var hold = await blocker.BeginTransactionAsync();
        await using var lockTable = new NpgsqlCommand("LOCK TABLE ingest_chains IN EXCLUSIVE MODE", blocker, hold);
        await lockTable.ExecuteNonQueryAsync();
        return hold;
    }

    /// <summary>Locks one gateway's chain rows in a transaction of the test's own: that gateway's batch then waits inside its transaction until the returned one ends; others go on.</summary>
    private static async Task<NpgsqlTransaction> HoldChainRowsAsync(NpgsqlConnection blocker, string gw)
    {
        var hold = await blocker.BeginTransactionAsync();
        await using var lockRows = new NpgsqlCommand("SELECT 1 FROM ingest_chains WHERE gw = $1 FOR UPDATE", blocker, hold);
        lockRows.Parameters.AddWithValue(gw);
        await lockRows.ExecuteNonQueryAsync();
        return hold;
    }

    /// <summary>The gauge now: received minus acknowledged.</summary>
    private static long Held(MetricCollector<long> inFlight) => inFlight.GetMeasurementSnapshot().Sum(m => m.Value);

    /// <summary>The most the gauge ever held, taking its changes in the order they were made.</summary>
    private static long MaxHeld(MetricCollector<long> inFlight)
    {
        long held = 0, max = 0;
        foreach (var m in inFlight.GetMeasurementSnapshot())
        {
            held += m.Value;
            max = Math.Max(max, held);
        }

        return max;
    }

    private static Task Until(Func<Task<bool>> holds, string what) =>
        InProcessIngest.EventuallyAsync(holds, TimeSpan.FromSeconds(60), () => what);
}
