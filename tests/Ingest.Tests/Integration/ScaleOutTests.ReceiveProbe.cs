namespace EdgeTwin.Ingest.Tests.Integration;

using EdgeTwin.Ingest.Mqtt;
using EdgeTwin.Ingest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Npgsql;

/// <summary>
/// A connection that stays up while the broker delivers nothing on it (keep-alive answered, the
/// worker's own publishes acknowledged) looked like a quiet ward: no records, no gaps, nothing said.
/// The worker's probe (<c>Ingest:ReceiveProbeInterval</c>) tells it, and the worker connects again.
/// Between the worker and a real mosquitto a proxy stops passing the broker's PUBLISH packets on the
/// worker's first connection; a full receive window (a blocked store) is flow control, not a stall.
/// </summary>
public sealed partial class ScaleOutTests
{
    private static readonly string[] FastProbe = ["--Ingest:ReceiveProbeInterval=00:00:00.200", "--Ingest:ReceiveStallAfter=00:00:03"];

    [Fact]
    public async Task BrokerStopsDeliveringWhileTheConnectionStaysUp_TheProbeTellsIt_TheWorkerConnectsAgain_EveryRecordStoredOnce()
    {
        var connection = await _pg.CreateDatabaseAsync();
        var now = DateTimeOffset.UtcNow;
        using var g = Gateway16("site-p", "gw-stall", now);
        await using var proxy = new MqttProxy(_broker.Port, dropPubacks: false);
        await using var ingest = await InProcessIngest.StartAsync(proxy.Uri, [
            $"--Ingest:Storage=postgres:{connection}", "--Ingest:BatchSize=16", $"--Ingest:Enrolled:{g.Gw}={g.Key.Address}",
            $"--Ingest:ClientId=ingest-stall-{Guid.NewGuid():N}", "--Ingest:SessionExpiry=00:05:00", .. FastProbe]);
        using var stalls = Counted(ingest, "edgetwin.ingest.receive.stalls");
        using var probes = Counted(ingest, "edgetwin.ingest.receive.probes");
        await using var check = NpgsqlDataSource.Create(connection);
        await using var mqtt = await TestMqttClient.ConnectAsync(_broker.Port);

        // The path delivers: records stored, the probes come back, no stall.
        g.ProduceObs(16, now);
        foreach (var r in g.All)
        {
            await mqtt.PublishAsync(g, r);
        }

        await Until(async () => await StoredAsync(check) == g.All.Count && Probes(probes, "returned") >= 3, "the first records stored and three probes back");
        Assert.Equal(0, Sum(stalls));
        Assert.Equal(1, proxy.Connections);

        // The broker's deliveries on that connection stop; it stays up (keep-alive and PUBACKs pass).
        proxy.WithholdPublishesOn = 1;
        var withheld = g.ProduceObs(32, now);
        foreach (var r in withheld)
        {
            await mqtt.PublishAsync(g, r);
        }

        await InProcessIngest.EventuallyAsync(async () => Sum(stalls) == 1 && await StoredAsync(check) == g.All.Count, TimeSpan.FromSeconds(60),
            () => $"the stall told once and every record stored (stalls {Sum(stalls)}, connections {proxy.Connections}, withheld {proxy.Withheld}, stored {StoredAsync(check).GetAwaiter().GetResult()} of {g.All.Count})");
        Assert.True(proxy.Withheld >= withheld.Count, $"{proxy.Withheld} PUBLISH packets withheld, {withheld.Count} records sent meanwhile");
        Assert.Equal(2, proxy.Connections);
        Assert.Equal(g.All.Select(r => $"{g.Gw}|{Lane(r)}|{r.Epoch}|{r.Seq}|{r.Hash}").Order().ToList(), (await StoredRecordsAsync(check)).Order().ToList());

        // On the new connection the probes come back again, and nothing more is taken for a stall.
        var returned = Probes(probes, "returned");
        await Until(() => Task.FromResult(Probes(probes, "returned") >= returned + 3), "three probes back on the new connection");
        Assert.Equal(1, Sum(stalls));
        Assert.Equal(2, proxy.Connections);
    }

    [Fact]
    public async Task StoreBlockedWithTheReceiveWindowFull_TheProbeOverdue_IsFlowControlNotAStall_TheConnectionStays()
    {
        const int batchSize = 16;
        var window = FlowControl.ReceiveMaximum(batchSize);
        var connection = await _pg.CreateDatabaseAsync();
        var now = DateTimeOffset.UtcNow;
        using var g = Gateway16("site-p", "gw-full", now);
        var broker = new MosquittoFixture(maxInflightMessages: 0);
        await broker.InitializeAsync();
        try
        {
            await using var proxy = new MqttProxy(broker.Port, dropPubacks: false);
            await using var ingest = await InProcessIngest.StartAsync(proxy.Uri, [
                $"--Ingest:Storage=postgres:{connection}", $"--Ingest:BatchSize={batchSize}", $"--Ingest:Enrolled:{g.Gw}={g.Key.Address}", .. FastProbe]);
            using var stalls = Counted(ingest, "edgetwin.ingest.receive.stalls");
            using var probes = Counted(ingest, "edgetwin.ingest.receive.probes");
            using var inFlight = Counted(ingest, "edgetwin.ingest.inflight");
            await using var check = NpgsqlDataSource.Create(connection);
            await using var mqtt = await TestMqttClient.ConnectAsync(broker.Port);
            await Until(() => Task.FromResult(Probes(probes, "returned") >= 1), "a probe back before the store is blocked");

            await using var blocker = await check.OpenConnectionAsync();
            await using var hold = await HoldChainsAsync(blocker);
            g.ProduceObs(window * 2, now);
            g.Seal(now);
            foreach (var r in g.All)
            {
                await mqtt.PublishAsync(g, r);
            }

            // The worker holds a full window; its next probe cannot come, and nothing else does either.
            await Until(() => Task.FromResult(Probes(probes, "overdue-window-full") >= 1), "a probe overdue behind the full receive window");
            Assert.Equal(window, Held(inFlight));
            Assert.Equal(0, Sum(stalls));
            Assert.Equal(1, proxy.Connections);

            await hold.RollbackAsync();
            await Until(async () => await StoredAsync(check) == g.All.Count && Held(inFlight) == 0, $"all {g.All.Count} records stored and acknowledged after the lock went");
            Assert.Equal(g.All.Select(r => $"{g.Gw}|{Lane(r)}|{r.Epoch}|{r.Seq}|{r.Hash}").Order().ToList(), (await StoredRecordsAsync(check)).Order().ToList());
            Assert.Equal(0, Sum(stalls));
            Assert.Equal(1, proxy.Connections);
        }
        finally
        {
            await broker.DisposeAsync();
        }
    }

    [Fact]
    public async Task BrokerAclWithoutTheProbeTopic_TheRefusalIsSaidOnce_NoMoreProbesGo_RecordsAreStoredAsEver_NoStall()
    {
        // The ingest's grants of deploy/mosquitto/acl from before the probe, for the anonymous clients of this test.
        const string aclBeforeTheProbe = """
            topic readwrite edgetwin/v1/+/+/telemetry
            topic readwrite edgetwin/v1/+/+/alarm
            topic readwrite edgetwin/v1/+/+/twin/reported
            topic readwrite edgetwin/v1/+/+/status
            topic readwrite edgetwin/v1/+/+/receipt
            topic readwrite edgetwin/v1/+/+/resend
            topic readwrite edgetwin/v1/+/+/twin/desired
            """;
        var connection = await _pg.CreateDatabaseAsync();
        var now = DateTimeOffset.UtcNow;
        using var g = Gateway16("site-p", "gw-acl", now);
        var broker = new MosquittoFixture(maxInflightMessages: 1000, aclBeforeTheProbe);
        await broker.InitializeAsync();
        try
        {
            var log = new EventLog();
            await using var ingest = await InProcessIngest.StartAsync(broker.Uri, [
                $"--Ingest:Storage=postgres:{connection}", $"--Ingest:Enrolled:{g.Gw}={g.Key.Address}", .. FastProbe],
                services => services.AddLogging(b => b.AddProvider(log)));
            using var failed = Counted(ingest, "edgetwin.ingest.publish.failed");
            using var probes = Counted(ingest, "edgetwin.ingest.receive.probes");
            using var stalls = Counted(ingest, "edgetwin.ingest.receive.stalls");
            await Until(() => Task.FromResult(log.Said(7020).Count == 1), "the probe's refusal said");
            Assert.Contains("refused-notauthorized", log.Said(7020)[0], StringComparison.Ordinal);
            Assert.Contains("edgetwin/v1/ingest.probe/+", log.Said(7020)[0], StringComparison.Ordinal);

            await using var check = NpgsqlDataSource.Create(connection);
            await using var mqtt = await TestMqttClient.ConnectAsync(broker.Port);
            g.ProduceObs(40, now);
            g.Seal(now);
            foreach (var r in g.All)
            {
                await mqtt.PublishAsync(g, r);
            }

            await Until(async () => await StoredAsync(check) == g.All.Count, "every record stored on the broker that refuses the probe");
            Assert.Equal(1, failed.GetMeasurementSnapshot().Where(m => Equals(m.Tags["kind"], "probe")).Sum(m => m.Value));
            Assert.Single(log.Said(7020));
            Assert.Equal(0, Sum(probes));
            Assert.Equal(0, Sum(stalls));
            Assert.Empty(log.Said(7019));
        }
        finally
        {
            await broker.DisposeAsync();
        }
    }

    private static long Probes(MetricCollector<long> probes, string outcome) =>
        probes.GetMeasurementSnapshot().Where(m => Equals(m.Tags["outcome"], outcome)).Sum(m => m.Value);

    private static long Sum(MetricCollector<long> counter) => counter.GetMeasurementSnapshot().Sum(m => m.Value);
}
