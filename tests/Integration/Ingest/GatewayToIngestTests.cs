namespace EdgeTwin.Integration.Tests.Ingest;

using System.Net.Http.Json;
using System.Text.Json.Nodes;
using EdgeTwin.Gateway.Chains;
using EdgeTwin.Ingest;
using EdgeTwin.Ingest.Mqtt;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Integration.Tests.Support;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Signing;
using EdgeTwin.Telemetry.Verification;
using Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Issue 7, end to end on one machine: the real gateway (simulated ward) -> mosquitto -> the real
/// ingest. Receipts make the gateway's outbox shrink; after a graceful stop the ingest's
/// /api/chains equals an independent verification of a capture of the same traffic.
/// </summary>
public sealed class GatewayToIngestTests
{
    private static readonly TimeSpan Wait60 = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task SimulatedWard_ThroughMosquitto_IngestVerifiesAll_ReceiptsShrinkTheOutbox_CountsMatchTheCapture()
    {
        using var mosquitto = new Mosquitto();
        await using var capture = await Capture.StartAsync(mosquitto.Port);
        var data = Directory.CreateTempSubdirectory("edgetwin-it-gw-").FullName;
        var ingestData = Directory.CreateTempSubdirectory("edgetwin-it-ingest-").FullName;
        var keyPath = Path.Combine(data, "gateway.key");
        string address;
        using (var key = GatewayKey.Generate())
        {
            key.SaveToFile(keyPath);
            address = key.Address;
        }

        // The ingest gets a known key, so the gateway can list its address as the receipt signer.
        var ingestKeyPath = Path.Combine(ingestData, "test-ingest.key");
        string ingestAddress;
        using (var ingestKey = GatewayKey.Generate())
        {
            ingestKey.SaveToFile(ingestKeyPath);
            ingestAddress = ingestKey.Address;
        }

        var httpPort = EdgeTwin.Ingest.Tests.Support.FreePort.Next();
        await using var ingest = IngestHost.Create(
        [
            $"--urls=http://127.0.0.1:{httpPort}", $"--Ingest:Broker={mosquitto.Url}", $"--Ingest:Storage=litedb:{ingestData}",
            $"--Ingest:Enrolled:gw-it={address}", $"--Ingest:KeyFile={ingestKeyPath}", "--Logging:LogLevel:Default=Warning",
        ]);
        using (var start = new CancellationTokenSource(Wait60))
        {
            await ingest.StartAsync(start.Token);
            await ingest.Services.GetRequiredService<MqttIngestWorker>().Subscribed.WaitAsync(start.Token);
        }

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") }.WithToken(IngestTokens.Mint(ingest.Services));
        var gateway = await InProcessGateway.StartAsync(InProcessGateway.Args(data, mosquitto.Port, "--Uplink:Receipts=true", $"--Uplink:ReceiptSigners:0={ingestAddress}", $"--Gateway:KeyFile={keyPath}"));
        var book = (ChainBook)gateway.Services.GetService(typeof(ChainBook))!;

        // Receipts arrive and the outbox lets go: it holds far fewer records than were written.
        await Wait.UntilAsync(() => book.Head(Lane.Telemetry).Seq > 400, Wait60, "400 telemetry records written");
        await Wait.UntilAsync(
            () => book.Store.Usage(Lane.Telemetry).Records < book.Head(Lane.Telemetry).Seq - 300,
            Wait60,
            $"outbox to shrink below head - 300 (head {book.Head(Lane.Telemetry).Seq}, outbox {book.Store.Usage(Lane.Telemetry).Records})");

        await gateway.StopAsync();
        var heads = new[] { Lane.Telemetry, Lane.Alarm }.ToDictionary(l => l, l => book.Head(l));
        await gateway.DisposeAsync();

        // After the closing checkpoints everything but those checkpoints is verified at the ingest.
        JsonArray chains = [];
        await Wait.UntilAsync(() =>
        {
            chains = http.GetFromJsonAsync<JsonArray>("/api/chains").GetAwaiter().GetResult()!;
            return heads.All(h => chains.Any(c => (string)c!["epoch"]! == h.Value.Epoch && (long)c!["verifiedThrough"]! == h.Value.Seq - 1));
        }, Wait60, "ingest to verify through each closing checkpoint");

        var verifier = new StreamVerifier(new VerifierOptions { EnrolledAddresses = [address] });
        foreach (var payload in capture.AllRecords)
        {
            verifier.Add(payload);
        }

        var reports = verifier.Report();
        Assert.Equal(2, reports.Count);
        foreach (var r in reports)
        {
            var c = chains.Single(n => (string)n!["epoch"]! == r.Chain.Epoch)!;
            Assert.Equal(
                (r.Received, r.Verified, r.VerifiedThrough, r.Forks, r.BadSigs, r.BrokenLinks),
                ((long)c["received"]!, (long)c["verified"]!, (long)c["verifiedThrough"]!, (long)c["forks"]!, (long)c["badSigs"]!, (long)c["brokenLinks"]!));
        }

        var alerts = (await http.GetFromJsonAsync<JsonArray>("/api/alerts"))!;
        Assert.All(alerts, a => Assert.Contains((string)a!["kind"]!, new[] { "new-epoch", "replay" }));
        await ingest.StopAsync();
        Directory.Delete(data, recursive: true);
        Directory.Delete(ingestData, recursive: true);
    }
}
