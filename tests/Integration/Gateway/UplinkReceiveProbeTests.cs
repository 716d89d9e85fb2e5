namespace EdgeTwin.Integration.Tests.Gateway;

using EdgeTwin.Gateway.Chains;
using EdgeTwin.Ingest;
using EdgeTwin.Ingest.Mqtt;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Integration.Tests.Support;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Signing;
using System.Diagnostics.Metrics;
using EdgeTwin.Gateway.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

/// <summary>
/// The uplink's receive-path probe (<c>Uplink:ReceiveProbeInterval</c>): a connection that stays up
/// while the broker delivers nothing on it. The gateway's records still go out and are acknowledged,
/// but no receipt comes back: the outbox grows, and every <c>Uplink:ResendAfter</c> the records go out
/// again, over a metered link too, for as long as the connection lasts. Between the real gateway and a
/// real mosquitto a proxy stops passing the broker's PUBLISH packets on the gateway's first
/// connection (everything else passes); the real ingest answers on the broker.
/// </summary>
public sealed class UplinkReceiveProbeTests
{
    private static readonly TimeSpan Wait60 = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task BrokerStopsDeliveringToTheGateway_TheProbeTellsIt_TheUplinkConnectsAgain_AndTheReceiptsComeAgain()
    {
        using var mosquitto = new Mosquitto();
        var data = Directory.CreateTempSubdirectory("edgetwin-it-probe-gw-").FullName;
        var ingestData = Directory.CreateTempSubdirectory("edgetwin-it-probe-ingest-").FullName;
        var keyPath = Path.Combine(data, "gateway.key");
        var ingestKeyPath = Path.Combine(ingestData, "ingest.key");
        string address, ingestAddress;
        using (var key = GatewayKey.Generate())
        using (var ingestKey = GatewayKey.Generate())
        {
            key.SaveToFile(keyPath);
            ingestKey.SaveToFile(ingestKeyPath);
            (address, ingestAddress) = (key.Address, ingestKey.Address);
        }

        await using var ingest = IngestHost.Create(
        [
            $"--urls=http://127.0.0.1:{FreePort.Next()}", $"--Ingest:Broker={mosquitto.Url}", $"--Ingest:Storage=litedb:{ingestData}",
            $"--Ingest:Enrolled:gw-it={address}", $"--Ingest:KeyFile={ingestKeyPath}", "--Logging:LogLevel:Default=Warning",
        ]);
        using (var start = new CancellationTokenSource(Wait60))
        {
            await ingest.StartAsync(start.Token);
            await ingest.Services.GetRequiredService<MqttIngestWorker>().Subscribed.WaitAsync(start.Token);
        }

        await using var proxy = new MqttProxy(mosquitto.Port, dropPubacks: false);
        var gateway = await InProcessGateway.StartAsync(InProcessGateway.Args(data, proxy.Port,
            "--Uplink:Receipts=true", $"--Uplink:ReceiptSigners:0={ingestAddress}", $"--Gateway:KeyFile={keyPath}",
            "--Uplink:ReceiveProbeInterval=00:00:00.200", "--Uplink:ReceiveStallAfter=00:00:03"));
        var book = (ChainBook)gateway.Services.GetService(typeof(ChainBook))!;
        var meters = gateway.Services.GetRequiredService<IMeterFactory>();
        using var stalls = new MetricCollector<long>(meters, GatewayMetrics.MeterName, "edgetwin.uplink.receive.stalls");
        using var probes = new MetricCollector<long>(meters, GatewayMetrics.MeterName, "edgetwin.uplink.receive.probes");
        using var receipts = new MetricCollector<long>(meters, GatewayMetrics.MeterName, "edgetwin.uplink.receipts");
        long Held() => book.Store.Usage(Lane.Telemetry).Records;
        long Head() => book.Head(Lane.Telemetry).Seq;

        // The path delivers: receipts let the outbox go, the probes come back, no stall.
        await Wait.UntilAsync(() => Task.FromResult(Head() > 200 && Held() < Head() - 100 && probes.Counted("returned") >= 3), Wait60,
            () => $"receipts shrinking the outbox and three probes back (head {Head()}, held {Held()}, probes back {probes.Counted("returned")})");
        Assert.Equal(0L, stalls.Observed());
        Assert.Equal(1, proxy.Connections);

        // The broker's deliveries on that connection stop; the gateway's publishes still pass.
        proxy.WithholdPublishesOn = 1;
        var withheldFrom = Head();
        await Wait.UntilAsync(() => Task.FromResult(stalls.Observed() == 1 && proxy.Connections == 2), Wait60,
            () => $"the stall told and the uplink connected again (stalls {stalls.Observed()}, connections {proxy.Connections}, withheld {proxy.Withheld})");
        Assert.True(proxy.Withheld > 0, "the broker's deliveries on the first connection were withheld");
        var receiptsAtTheStall = receipts.Counted();

        // On the new connection the receipts come again: the records written while nothing came are let go.
        await Wait.UntilAsync(() => Task.FromResult(receipts.Counted() > receiptsAtTheStall && Held() < Head() - withheldFrom), Wait60,
            () => $"receipts after the stall ({receipts.Counted()}, {receiptsAtTheStall} at it) and the outbox below the records written since the stall began (head {Head()}, from {withheldFrom}, held {Held()})");
        Assert.Equal(1L, stalls.Observed());
        Assert.Equal(2, proxy.Connections);

        await gateway.StopAsync();
        await gateway.DisposeAsync();
        Directory.Delete(data, recursive: true);
    }
}
