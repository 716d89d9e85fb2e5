namespace EdgeTwin.Integration.Tests.Ingest;

using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using EdgeTwin.Ingest;
using EdgeTwin.Ingest.Mqtt;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Integration.Tests.Support;
using EdgeTwin.Integration.Tests.Twin;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Signing;
using Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Issue 11, item 2, end to end: the real gateway -> mosquitto -> the real ingest. While the gateway is
/// stopped, an anonymous MQTT client publishes two unsigned records chained onto the last record it saw
/// (the chain's head) with the next seqs. The gateway comes back and publishes its own: the ingest's
/// verifiedThrough goes past the injected seqs, the chain is not broken, and the two are evidence.
/// </summary>
public sealed class InjectedBranchTests
{
    private const string Prefix = "edgetwin/v1/site-it/gw-it";
    private static readonly TimeSpan Wait60 = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task InjectedPairPublishedWhileTheGatewayIsStopped_VerifiedThroughAdvancesPastIt_ChainNotBroken_PairInEvidence()
    {
        using var mosquitto = new Mosquitto();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        await using var attacker = await TopicRecorder.StartAsync(mosquitto.Port, Prefix + "/#", timeout.Token);
        var data = Directory.CreateTempSubdirectory("edgetwin-it-inject-gw-").FullName;
        var ingestData = Directory.CreateTempSubdirectory("edgetwin-it-inject-ingest-").FullName;
        var keyPath = Path.Combine(data, "gateway.key");
        var address = NewKeyFile(keyPath);
        var ingestKeyPath = Path.Combine(ingestData, "test-ingest.key");
        var ingestAddress = NewKeyFile(ingestKeyPath); // the gateway lists it as its receipt signer

        var httpPort = Mosquitto.FreePort();
        await using var ingest = IngestHost.Create(
        [
            $"--urls=http://127.0.0.1:{httpPort}", $"--Ingest:Broker={mosquitto.Url}", $"--Ingest:Storage=litedb:{ingestData}",
            $"--Ingest:Enrolled:gw-it={address}", $"--Ingest:KeyFile={ingestKeyPath}", "--Logging:LogLevel:Default=Warning",
        ]);
        await ingest.StartAsync(timeout.Token);
        await ingest.Services.GetRequiredService<MqttIngestWorker>().Subscribed.WaitAsync(timeout.Token);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") }.WithToken(IngestTokens.Mint(ingest.Services));
        JsonObject Telemetry() => http.GetFromJsonAsync<JsonArray>("/api/chains").GetAwaiter().GetResult()!
            .Select(c => c!.AsObject()).SingleOrDefault(c => (string)c["lane"]! == "telemetry") ?? [];
        long Figure(string name) => Telemetry()[name]?.GetValue<long>() ?? -1;
        var args = InProcessGateway.Args(data, mosquitto.Port, "--Uplink:Receipts=true", $"--Uplink:ReceiptSigners:0={ingestAddress}", $"--Gateway:KeyFile={keyPath}");

        var gateway = await InProcessGateway.StartAsync(args);
        await Wait.UntilAsync(() => Figure("verifiedThrough") >= 20, Wait60, "the ingest to verify 20 telemetry records");
        await gateway.StopAsync();
        await gateway.DisposeAsync();

        // The attacker: the last telemetry record it saw is the head; two records chained onto it, no key needed.
        var seen = attacker.Payloads("/telemetry").Select(p => (Json: JsonNode.Parse(p)!, Hash: Convert.ToHexStringLower(SHA256.HashData(p)))).ToList();
        var head = seen.MaxBy(r => r.Json["seq"]!.GetValue<long>());
        var headSeq = head.Json["seq"]!.GetValue<long>();
        using var stranger = GatewayKey.Generate();
        var writer = ChainWriter.Resume(new ChainState("gw-it", Lane.Telemetry, head.Json["epoch"]!.GetValue<string>(), headSeq, head.Hash, 0, null), stranger, new CheckpointPolicy { MaxRecords = 1000 });
        var now = DateTimeOffset.UtcNow;
        var injected = Enumerable.Range(0, 2).Select(i => writer.AppendObs(new ObsBody("p-injected", "sim-0-vitals", "loinc:8867-4", "/min", now, 0, [250 + i]), now, ClockQuality.Synced)).ToList();
        foreach (var r in injected)
        {
            await attacker.PublishAsync(Prefix + "/telemetry", r.Payload, timeout.Token);
        }

        // The injected pair reached the ingest before any genuine record at those seqs.
        var distinct = seen.Select(r => r.Hash).Distinct().Count();
        await Wait.UntilAsync(() => Figure("received") == distinct + 2, Wait60, $"the ingest to receive the injected pair ({distinct} genuine records seen)");

        gateway = await InProcessGateway.StartAsync(args);
        await Wait.UntilAsync(() => Figure("verifiedThrough") > headSeq + 2, Wait60, $"verifiedThrough past the injected seqs {headSeq + 1}..{headSeq + 2}");
        await gateway.StopAsync();
        await gateway.DisposeAsync();

        var chain = Telemetry();
        Assert.Equal((0L, 0L), (chain["brokenLinks"]!.GetValue<long>(), chain["forks"]!.GetValue<long>()));
        Assert.Equal(2, chain["unsignedBranch"]!.GetValue<long>());
        var evidence = (await http.GetFromJsonAsync<JsonArray>("/api/evidence"))!;
        Assert.All(injected, r => Assert.Contains(evidence, e => (string)e!["b64"]! == Convert.ToBase64String(r.Payload)));
        var alerts = (await http.GetFromJsonAsync<JsonArray>("/api/alerts"))!.Select(a => (string)a!["kind"]!).ToList();
        Assert.Contains("unsigned-branch", alerts);
        Assert.DoesNotContain("broken-link", alerts);

        await ingest.StopAsync();
        Directory.Delete(data, recursive: true);
        Directory.Delete(ingestData, recursive: true);
    }

    private static string NewKeyFile(string path)
    {
        using var key = GatewayKey.Generate();
        key.SaveToFile(path);
        return key.Address;
    }
}
