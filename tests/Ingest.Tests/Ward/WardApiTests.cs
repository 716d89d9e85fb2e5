namespace EdgeTwin.Ingest.Tests.Ward;

using System.Net;
using System.Text.Json.Nodes;
using EdgeTwin.Ingest.Anchoring;
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

    [Fact]
    public async Task Anchoring_AGatewaysAnchorIsTheNewestHoldingOneOfItsCheckpoints_NotTheIngestsLatest()
    {
        var now = DateTimeOffset.UtcNow;
        var gateways = Enumerable.Range(1, 2).Select(i => new SimulatedGateway("ward7", $"ward-anchor-{i}", now, policy: new CheckpointPolicy { MaxRecords = 5, MaxDelay = TimeSpan.FromHours(1) })).ToList();

        // Anchoring on (a ledger no one listens at; the anchorer's own round would come only after an hour):
        // the anchors are prepared and confirmed here, as the anchorer would.
        await using var ingest = await InProcessIngest.StartAsync(_broker.Uri,
        [
            .. gateways.Select(g => $"--Ingest:Enrolled:{g.Gw}={g.Key.Address}"),
            $"--Ingest:Anchor:Rpc=http://127.0.0.1:{FreePort.Next()}", "--Ingest:Anchor:ChainId=1337", $"--Ingest:Anchor:Contract=0x{new string('a', 40)}",
        ]);
        await using var mqtt = await TestMqttClient.ConnectAsync(_broker.Port);
        var anchors = (IAnchorStore)ingest.Store;
        async Task VerifiedAsync(SimulatedGateway g)
        {
            // A checkpoint is verified (and a leaf) once the next one came: two of them.
            mqtt.Track(g);
            g.ProduceObs(12, now);
            foreach (var r in g.All.Where(r => r.Lane == Lane.Telemetry))
            {
                await mqtt.PublishAsync(g, r);
            }

            var checkpoint = g.All.First(r => r.Lane == Lane.Telemetry && r.Kind == RecordKinds.Checkpoint).Seq;
            await InProcessIngest.EventuallyAsync(() => Task.FromResult(g.ReceiptedThrough(Lane.Telemetry) >= checkpoint), TimeSpan.FromSeconds(30), () => $"{g.Gw}'s checkpoint {checkpoint} verified");
        }

        async Task AnchorAsync(long index)
        {
            Assert.Equal(index, (await anchors.PrepareAnchorAsync(100, Anchorer.RootOf, now, default))!.Index);
            await anchors.ConfirmAnchorAsync(index, 1337, $"0x{new string('a', 40)}", $"0x{new string('f', 64)}", 7 + index, now, default);
        }

        // The first gateway's checkpoints go into anchor 0; the second's are verified after it.
        await VerifiedAsync(gateways[0]);
        await AnchorAsync(0);
        await VerifiedAsync(gateways[1]);

        var ward = await Ward(ingest, "/api/ward");
        Assert.Equal(0, ward["anchoring"]!["last"]!["index"]!.GetValue<long>());
        Assert.Equal(0, Gateway(ward, "ward-anchor-1")["anchor"]!["index"]!.GetValue<long>());
        Assert.True(Gateway(ward, "ward-anchor-2").ContainsKey("anchor"));
        Assert.Null(Gateway(ward, "ward-anchor-2")["anchor"]); // its tile says "not anchored yet", though the ingest has anchor 0

        // Anchor 1 takes the second gateway's checkpoints; the first's stay in anchor 0.
        await AnchorAsync(1);
        ward = await Ward(ingest, "/api/ward?gw=ward-anchor-1&gw=ward-anchor-2");
        Assert.Equal(1, ward["anchoring"]!["last"]!["index"]!.GetValue<long>());
        Assert.Equal(0, Gateway(ward, "ward-anchor-1")["anchor"]!["index"]!.GetValue<long>());
        Assert.Equal(1, Gateway(ward, "ward-anchor-2")["anchor"]!["index"]!.GetValue<long>());
        gateways.ForEach(g => g.Dispose());
    }

    private static JsonObject Gateway(JsonObject ward, string gw) => ward["gateways"]!.AsArray().Single(g => (string)g!["gw"]! == gw)!.AsObject();

    private static async Task<JsonObject> Ward(InProcessIngest ingest, string path) => JsonNode.Parse(await ingest.Http.GetStringAsync(path))!.AsObject();

    private static List<string> Names(JsonObject ward) => [.. ward["gateways"]!.AsArray().Select(g => (string)g!["gw"]!)];
}
