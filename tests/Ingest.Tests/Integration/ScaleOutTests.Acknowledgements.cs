namespace EdgeTwin.Ingest.Tests.Integration;

using EdgeTwin.Ingest.Mqtt;
using EdgeTwin.Ingest.Tests.Support;
using Npgsql;

/// <summary>
/// The worker's own publishes have a deadline (<c>Ingest:PublishTimeout</c>), and a committed batch
/// is acknowledged whatever became of its receipts. Between the worker and a real mosquitto a proxy
/// drops every PUBACK the broker sends the worker, with the connection up: the receipts reach the
/// broker, but the worker never hears so. Without the deadline the send stage waited for ever on the
/// first batch's receipt, no PUBACK left, and after its receive window the broker sent the worker
/// nothing more (the drain that stalled in the 500-bed run, docs/benchmarks.md).
/// </summary>
public sealed partial class ScaleOutTests
{
    [Fact]
    public async Task BrokerNeverAcknowledgesReceipts_WorkerStillAcknowledgesEveryCommittedBatch_EveryRecordStoredOnce_TheMissedReceiptsCounted()
    {
        const int batchSize = 16;
        var window = FlowControl.ReceiveMaximum(batchSize);
        var connection = await _pg.CreateDatabaseAsync();
        var now = DateTimeOffset.UtcNow;
        using var g = Gateway16("site-r", "gw-puback", now);
        await using var proxy = new MqttProxy(_broker.Port, dropPubacks: true);
        await using var ingest = await InProcessIngest.StartAsync(proxy.Uri, [
            $"--Ingest:Storage=postgres:{connection}", $"--Ingest:BatchSize={batchSize}", "--Ingest:PublishTimeout=00:00:00.250",
            $"--Ingest:Enrolled:{g.Gw}={g.Key.Address}"]);
        using var inFlight = Counted(ingest, "edgetwin.ingest.inflight");
        using var failed = Counted(ingest, "edgetwin.ingest.publish.failed");
        using var acknowledged = Counted(ingest, "edgetwin.ingest.receipts");
        await using var check = NpgsqlDataSource.Create(connection);
        await using var mqtt = await TestMqttClient.ConnectAsync(_broker.Port);

        // Three receive windows: a worker that kept unacknowledged batches would stop after the first.
        g.ProduceObs(window * 3, now);
        g.Seal(now);
        foreach (var r in g.All)
        {
            await mqtt.PublishAsync(g, r);
        }

        await Until(async () => await StoredAsync(check) == g.All.Count && Held(inFlight) == 0, $"all {g.All.Count} records stored and acknowledged with no receipt acknowledged by the broker");
        Assert.Equal(g.All.Select(r => $"{g.Gw}|{Lane(r)}|{r.Epoch}|{r.Seq}|{r.Hash}").Order().ToList(), (await StoredRecordsAsync(check)).Order().ToList());

        // The receipts went out and reached the gateway's topic; the broker's acknowledgements did not reach the worker.
        Assert.NotEmpty(mqtt.Receipts);
        Assert.True(proxy.Dropped >= mqtt.Receipts.Count, $"{proxy.Dropped} PUBACKs dropped, {mqtt.Receipts.Count} receipts seen");
        var timedOut = failed.GetMeasurementSnapshot().Where(m => Equals(m.Tags["kind"], "receipt") && Equals(m.Tags["reason"], "timeout")).Sum(m => m.Value);
        Assert.True(timedOut >= mqtt.Receipts.Count, $"{timedOut} receipts counted as not acknowledged in time, {mqtt.Receipts.Count} seen at the broker; counted: {string.Join(", ", failed.GetMeasurementSnapshot().Select(m => $"{m.Tags["kind"]}/{m.Tags["reason"]}"))}");
        Assert.Equal(0, acknowledged.GetMeasurementSnapshot().Sum(m => m.Value));

        // With the acknowledgements back, the gateway's resend of a record brings its receipt again, acknowledged this time.
        proxy.DropPubacks = false;
        await mqtt.PublishAsync(g, g.All.First(r => r.Lane == EdgeTwin.Telemetry.Records.Lane.Telemetry && r.Seq == 5));
        var seen = mqtt.Receipts.Count;
        await Until(() => Task.FromResult(acknowledged.GetMeasurementSnapshot().Sum(m => m.Value) > 0), $"a receipt acknowledged once the PUBACKs pass again (receipts seen {seen} -> {mqtt.Receipts.Count}; failed {string.Join(", ", failed.GetMeasurementSnapshot().Select(m => $"{m.Tags["kind"]}/{m.Tags["reason"]}"))})");
    }

    [Fact]
    public async Task BrokerNeverAcknowledgesResendRequests_TheRequesterGoesOnAskingWithinItsDeadline_EachMissCounted()
    {
        var connection = await _pg.CreateDatabaseAsync();
        var now = DateTimeOffset.UtcNow;
        using var g = Gateway16("site-r", "gw-resend-puback", now);
        await using var proxy = new MqttProxy(_broker.Port, dropPubacks: true);
        await using var ingest = await InProcessIngest.StartAsync(proxy.Uri, [
            $"--Ingest:Storage=postgres:{connection}", "--Ingest:PublishTimeout=00:00:00.250", "--Ingest:ResendInterval=00:00:00.200",
            $"--Ingest:Enrolled:{g.Gw}={g.Key.Address}"]);
        using var failed = Counted(ingest, "edgetwin.ingest.publish.failed");
        await using var mqtt = await TestMqttClient.ConnectAsync(_broker.Port);

        // A chain with a hole: the ingest asks the gateway for seq 5 at every look.
        g.ProduceObs(40, now);
        g.Seal(now);
        foreach (var r in g.All.Where(r => !(r.Lane == EdgeTwin.Telemetry.Records.Lane.Telemetry && r.Seq == 5)))
        {
            await mqtt.PublishAsync(g, r);
        }

        // Before the deadline the first request the broker did not acknowledge held the requester for ever.
        long TimedOut() => failed.GetMeasurementSnapshot().Where(m => Equals(m.Tags["kind"], "resend") && Equals(m.Tags["reason"], "timeout")).Sum(m => m.Value);
        await Until(() => Task.FromResult(TimedOut() >= 3), "three re-send requests given up on after their deadline, one look after another");
        Assert.True(proxy.Dropped >= 3, $"{proxy.Dropped} PUBACKs dropped");
    }
}
