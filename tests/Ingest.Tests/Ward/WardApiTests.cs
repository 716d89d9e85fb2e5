namespace EdgeTwin.Ingest.Tests.Ward;

using System.Net;
using System.Text.Json.Nodes;
using EdgeTwin.Ingest.Tests.Integration;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;

/// <summary>GET /api/ward on the real host: all gateways, or only those a page was told changed.</summary>
[Collection(PostgresCollection.Name)]
public sealed class WardApiTests
{
    private readonly MosquittoFixture _broker;

    public WardApiTests(MosquittoFixture broker) => _broker = broker;

    [Fact]
    public async Task NamedGateways_OnlyThoseComeBack_UnknownNamesAreLeftOut_BadNamesAre400()
    {
        var now = DateTimeOffset.UtcNow;
        var gateways = Enumerable.Range(1, 2).Select(i => new SimulatedGateway("ward7", $"ward-api-{i}", now, policy: new CheckpointPolicy { MaxRecords = 5, MaxDelay = TimeSpan.FromHours(1) })).ToList();
        await using var ingest = await InProcessIngest.StartAsync(_broker.Uri, gateways.Select(g => $"--Ingest:Enrolled:{g.Gw}={g.Key.Address}"));
        await using var mqtt = await TestMqttClient.ConnectAsync(_broker.Port);
        foreach (var g in gateways)
        {
            mqtt.Track(g);
            g.ProduceObs(6, now);
            foreach (var r in g.All.Where(r => r.Lane == Lane.Telemetry))
            {
                await mqtt.PublishAsync(g, r);
            }
        }

        await InProcessIngest.EventuallyAsync(() => Task.FromResult(gateways.All(g => g.ReceiptedThrough(Lane.Telemetry) >= 4)), TimeSpan.FromSeconds(30), () => "both gateways verified");

        Assert.Equal(["ward-api-1", "ward-api-2"], Names(await Ward(ingest, "/api/ward")));
        Assert.Equal(["ward-api-2"], Names(await Ward(ingest, "/api/ward?gw=ward-api-2&gw=no-such-gw")));
        using var bad = await ingest.Http.GetAsync("/api/ward?gw=Not_A_Name");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using var tooMany = await ingest.Http.GetAsync("/api/ward?" + string.Join('&', Enumerable.Range(0, 101).Select(i => $"gw=g{i}")));
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        gateways.ForEach(g => g.Dispose());
    }

    private static async Task<JsonObject> Ward(InProcessIngest ingest, string path) => JsonNode.Parse(await ingest.Http.GetStringAsync(path))!.AsObject();

    private static List<string> Names(JsonObject ward) => [.. ward["gateways"]!.AsArray().Select(g => (string)g!["gw"]!)];
}
