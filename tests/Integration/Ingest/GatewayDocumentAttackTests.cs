namespace EdgeTwin.Integration.Tests.Ingest;

using System.Net;
using System.Text.Json.Nodes;
using EdgeTwin.Ingest;
using EdgeTwin.Ingest.Mqtt;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Integration.Tests.Support;
using EdgeTwin.Telemetry.Signing;
using MQTTnet;
using Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Issue 11's attacks on the gateway's retained documents, against mosquitto, the real gateway and
/// the real ingest: a forged reported twin with version 2^53-1 on another site's topic and a forged
/// status for a gateway that does not exist. The genuine, signed documents are kept; the forged ones
/// go to evidence with an alert, and /api/twins shows no ghost and no forged site.
/// </summary>
public sealed class GatewayDocumentAttackTests
{
    private static readonly TimeSpan Wait60 = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ForgedReportedTwinAndGhostStatus_AreEvidence_TheSignedDocumentsStay()
    {
        using var mosquitto = new Mosquitto();
        var data = Directory.CreateTempSubdirectory("edgetwin-it-gw-").FullName;
        var ingestData = Directory.CreateTempSubdirectory("edgetwin-it-ingest-").FullName;
        var keyPath = Path.Combine(data, "gateway.key");
        string address;
        using (var key = GatewayKey.Generate())
        {
            key.SaveToFile(keyPath);
            address = key.Address;
        }

        var httpPort = Mosquitto.FreePort();
        await using var ingest = IngestHost.Create(
        [
            $"--urls=http://127.0.0.1:{httpPort}", $"--Ingest:Broker={mosquitto.Url}", $"--Ingest:Storage=litedb:{ingestData}",
            $"--Ingest:Enrolled:gw-it={address}", "--Logging:LogLevel:Default=Warning",
        ]);
        using (var start = new CancellationTokenSource(Wait60))
        {
            await ingest.StartAsync(start.Token);
            await ingest.Services.GetRequiredService<MqttIngestWorker>().Subscribed.WaitAsync(start.Token);
        }

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") }.WithToken(IngestTokens.Mint(ingest.Services));
        var gateway = await InProcessGateway.StartAsync(InProcessGateway.Args(data, mosquitto.Port, $"--Gateway:KeyFile={keyPath}", "--Twin:ReportInterval=00:00:01"));
        JsonNode? twin = null;
        await Wait.UntilAsync(() =>
        {
            twin = TryGet(http, "/api/twins/gw-it");
            return twin?["reported"]?["version"] is not null && twin["status"]?["online"]?.GetValue<bool>() == true;
        }, Wait60, "the gateway's signed reported twin and status kept by the ingest");

        // The attacker: an anonymous client, no key.
        var attacker = new MqttClientFactory().CreateMqttClient();
        await attacker.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", mosquitto.Port).WithClientId("attacker").Build());
        await attacker.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("edgetwin/v1/evil-site/gw-it/twin/reported").WithRetainFlag()
            .WithPayload("""{"gw":"gw-it","version":9007199254740991,"state":{"owned":true}}"""u8.ToArray()).WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await attacker.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("edgetwin/v1/site-it/ghost/status").WithRetainFlag()
            .WithPayload("""{"online":true}"""u8.ToArray()).WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build());

        await Wait.UntilAsync(() => (TryGet(http, "/api/alerts")?.AsArray() ?? []).Count(a => a?["kind"]?.GetValue<string>() == "unsigned-document") >= 2,
            Wait60, "two unsigned-document alerts");

        twin = TryGet(http, "/api/twins/gw-it")!;
        Assert.Equal("site-it", twin["site"]!.GetValue<string>());
        Assert.True(twin["reported"]!["version"]!.GetValue<long>() < 1000, twin.ToJsonString());
        Assert.Null(twin["reported"]!["state"]!["owned"]);
        using var ghost = await http.GetAsync(new Uri("/api/twins/ghost", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, ghost.StatusCode);
        var evidence = TryGet(http, "/api/evidence")!.AsArray();
        Assert.Contains(evidence, e => e!.ToJsonString().Contains("evil-site", StringComparison.Ordinal));
        Assert.Contains(evidence, e => e!.ToJsonString().Contains("ghost", StringComparison.Ordinal));

        attacker.Dispose();
        await gateway.StopAsync();
        await gateway.DisposeAsync();
        await ingest.StopAsync();
        Directory.Delete(data, recursive: true);
    }

    private static JsonNode? TryGet(HttpClient http, string path)
    {
        using var response = http.GetAsync(new Uri(path, UriKind.Relative)).GetAwaiter().GetResult();
        return response.IsSuccessStatusCode ? JsonNode.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult()) : null;
    }
}
