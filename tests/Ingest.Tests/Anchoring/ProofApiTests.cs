namespace EdgeTwin.Ingest.Tests.Anchoring;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using EdgeTwin.Ingest.Anchoring;
using EdgeTwin.Ingest.Enrolment;
using EdgeTwin.Ingest.Options;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Ingest.Storage.LiteDb;
using EdgeTwin.Ingest.Tests.Integration;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using LiteDB;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

/// <summary>
/// <c>/api/proofs</c> of a real ingest (real mosquitto, LiteDB) fed a real signed chain (docs/anchoring.md):
/// with anchoring off nothing of it exists (leaf log, anchors, anchoring key, the ward view's
/// anchoring member) and proofs answer 404; with it on, the refusals (409) for a
/// record not verified yet, one with a gap statement before its checkpoint, an anchor whose leaf log
/// no longer gives its root, and a chain signed by a key revoked since.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ProofApiTests(MosquittoFixture broker)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly CheckpointPolicy EveryFive = new() { MaxRecords = 5, MaxDelay = TimeSpan.FromHours(1) };
    private static readonly CheckpointPolicy Explicit = new() { MaxRecords = 1000, MaxDelay = TimeSpan.FromHours(1) };

    [Fact]
    public async Task AnchoringOff_KeepsNoLeafLogNoAnchorsAndNoAnchoringKey_AndProofsAnswer404()
    {
        var now = DateTimeOffset.UtcNow;
        using var gw = new SimulatedGateway("ward7", "proof-off", now, policy: EveryFive);
        await using var ingest = await InProcessIngest.StartAsync(broker.Uri, [$"--Ingest:Enrolled:{gw.Gw}={gw.Key.Address}"]);
        await using var mqtt = await TestMqttClient.ConnectAsync(broker.Port);
        mqtt.Track(gw);
        gw.ProduceObs(12, now);
        foreach (var r in gw.All.Where(r => r.Lane == Lane.Telemetry))
        {
            await mqtt.PublishAsync(gw, r);
        }

        // Wait until a checkpoint is verified: with anchoring on it would now be in the leaf log.
        var firstCheckpoint = gw.All.First(r => r.Lane == Lane.Telemetry && r.Kind == RecordKinds.Checkpoint).Seq;
        var chain = new ChainId(gw.Gw, "telemetry", gw.Telemetry.State.Epoch);
        await InProcessIngest.EventuallyAsync(async () => await VerifiedThroughAsync(ingest, chain) > firstCheckpoint, Wait, () => $"checkpoint {firstCheckpoint} verified");

        var db = ((LiteDbIngestStore)ingest.Store).Db;
        Assert.Equal(0, db.GetCollection(LiteDbAnchorMapping.Leaves).Count());
        Assert.Empty(await ((IAnchorStore)ingest.Store).AnchorsAsync(10, default));
        var options = ingest.Services.GetRequiredService<IOptionsMonitor<IngestOptions>>().CurrentValue;
        Assert.True(File.Exists(options.KeyFilePath()), "the ingest key beside which an anchoring key would be made");
        Assert.False(File.Exists(options.AnchorKeyFilePath()));

        var proof = await ingest.Http.GetAsync($"/api/proofs/{gw.Gw}/telemetry/{chain.Epoch}/1");
        Assert.Equal(HttpStatusCode.NotFound, proof.StatusCode);
        Assert.Equal("anchoring is off on this ingest (Ingest:Anchor:Rpc)", (await proof.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.GetValue<string>());
        Assert.Empty(await ingest.GetArrayAsync("/api/anchors"));
        Assert.False((await ingest.Http.GetFromJsonAsync<JsonObject>("/api/ward"))!.ContainsKey("anchoring"));
    }

    [Fact]
    public async Task Proofs_Refused409_NotVerifiedYet_AGapBeforeTheCheckpoint_ALeafLogThatNoLongerGivesTheRoot_ARevokedKey()
    {
        var now = DateTimeOffset.UtcNow;
        using var gw = new SimulatedGateway("ward7", "proof-409", now, policy: Explicit);
        var enrolment = Path.Combine(Path.GetTempPath(), $"edgetwin-enrolment-{Guid.NewGuid():N}.json");
        File.WriteAllText(enrolment, $$$"""{"gateways":{"{{{gw.Gw}}}":"{{{gw.Key.Address}}}"}}""");
        try
        {
            // Anchoring on (a ledger no one listens at; an anchor round would only come after an hour).
            await using var ingest = await InProcessIngest.StartAsync(broker.Uri,
            [
                $"--Ingest:EnrolmentFile={enrolment}", "--Ingest:EnrolmentReloadInterval=00:00:00.100",
                $"--Ingest:Anchor:Rpc=http://127.0.0.1:{FreePort.Next()}", "--Ingest:Anchor:ChainId=1337", $"--Ingest:Anchor:Contract=0x{new string('a', 40)}",
            ]);
            await using var mqtt = await TestMqttClient.ConnectAsync(broker.Port);

            // genesis 0, obs 1, checkpoint 2, obs 3, checkpoint 4, obs 5, obs 6-7 dropped and stated in the gap at 8,
            // obs 9, checkpoint 10, obs 11, checkpoint 12.
            var w = gw.Telemetry;
            var sent = new List<ChainRecord> { gw.All.Single(r => r.Lane == Lane.Telemetry) };
            sent.Add(Obs(gw, now));
            sent.Add(w.Checkpoint(now, ClockQuality.Synced)!);
            sent.Add(Obs(gw, now));
            sent.Add(w.Checkpoint(now, ClockQuality.Synced)!);
            sent.Add(Obs(gw, now));
            var dropped = Enumerable.Range(0, 2).Select(_ => Obs(gw, now)).ToList();
            sent.Add(w.AppendGap(dropped[0].Seq, dropped[^1].Seq, dropped[0].Prev, dropped[^1].Hash, "quota", now, ClockQuality.Synced));
            sent.Add(Obs(gw, now));
            sent.Add(w.Checkpoint(now, ClockQuality.Synced)!);
            sent.Add(Obs(gw, now));
            sent.Add(w.Checkpoint(now, ClockQuality.Synced)!);
            Assert.Equal([0L, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12], sent.Select(r => r.Seq));
            foreach (var r in sent)
            {
                await mqtt.PublishAsync(gw, r);
            }

            var chain = new ChainId(gw.Gw, "telemetry", w.State.Epoch);
            var store = (IAnchorStore)ingest.Store;
            await InProcessIngest.EventuallyAsync(async () => await VerifiedThroughAsync(ingest, chain) >= 5 && await store.LeafAsync(chain, 4, default) is not null, Wait,
                () => "seq 5 verified and checkpoint 4 in the leaf log");

            Assert.True((await ingest.Http.GetFromJsonAsync<JsonObject>("/api/ward"))!.ContainsKey("anchoring"));

            // The last checkpoint waits for the next one.
            await RefusedAsync(ingest, chain, 12, $"seq 12 of {chain} is not verified (verified through {await VerifiedThroughAsync(ingest, chain)})");

            // Seq 5 is verified, but records 6 and 7 are not stored: no unbroken run to checkpoint 10.
            await RefusedAsync(ingest, chain, 5, $"seq 5 of {chain} has no stored, unbroken run of records to a checkpoint (a gap statement or a missing record lies between)");
            var unanchored = await ProofAsync(ingest, chain, 3);
            Assert.Null(unanchored["tree"]);
            Assert.Equal(2, unanchored["records"]!.AsArray().Count);

            // An anchor over checkpoints 2 and 4, then checkpoint 2's leaf rewritten in the leaf log.
            var anchor = (await store.PrepareAnchorAsync(2, Anchorer.RootOf, now, default))!;
            Assert.Equal((0L, 2L), (anchor.FirstLeaf, anchor.TreeSize));
            await store.ConfirmAnchorAsync(0, 1337, $"0x{new string('a', 40)}", $"0x{new string('f', 64)}", 7, now, default);
            Assert.Equal(anchor.Root, (await ProofAsync(ingest, chain, 3))["tree"]!["root"]!.GetValue<string>());
            var leaves = ((LiteDbIngestStore)ingest.Store).Db.GetCollection(LiteDbAnchorMapping.Leaves);
            var leaf = leaves.FindOne(Query.EQ("position", 0L));
            leaf["hash"] = new string('d', 64);
            leaves.Update(leaf);
            await RefusedAsync(ingest, chain, 3, "anchor 0: the leaf log no longer gives its root (");

            // The gateway's key revoked since: its chain is no longer vouched for.
            var generation = ingest.Services.GetRequiredService<GatewayEnrolment>().Generation;
            File.WriteAllText(enrolment, $$$"""{"gateways":{},"revoked":[{"address":"{{{gw.Key.Address}}}","reason":"box stolen"}]}""");
            await InProcessIngest.EventuallyAsync(() => Task.FromResult(ingest.Services.GetRequiredService<GatewayEnrolment>().Generation > generation), Wait, () => "the changed enrolment file applied");
            await RefusedAsync(ingest, chain, 1, $"{chain} is signed by {gw.Key.Address}, which is revoked (box stolen)");
        }
        finally
        {
            File.Delete(enrolment);
        }
    }

    private static ChainRecord Obs(SimulatedGateway gw, DateTimeOffset now) =>
        gw.Telemetry.AppendObs(new ObsBody(gw.Patient, $"{gw.Gw}-mon", "loinc:8867-4", "/min", now, 0, [70]), now, ClockQuality.Synced);

    private static async Task<long> VerifiedThroughAsync(InProcessIngest ingest, ChainId chain) =>
        (await ingest.Store.ChainsAsync(chain.Gw, default)).FirstOrDefault(c => c.Id == chain)?.VerifiedThrough ?? -1;

    private static async Task<JsonObject> ProofAsync(InProcessIngest ingest, ChainId chain, long seq)
    {
        var response = await ingest.Http.GetAsync($"/api/proofs/{chain.Gw}/{chain.Lane}/{chain.Epoch}/{seq}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonNode.Parse(body)!.AsObject();
    }

    private static async Task RefusedAsync(InProcessIngest ingest, ChainId chain, long seq, string error)
    {
        var response = await ingest.Http.GetAsync($"/api/proofs/{chain.Gw}/{chain.Lane}/{chain.Epoch}/{seq}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Conflict, $"{(int)response.StatusCode} {body}");
        Assert.StartsWith(error, JsonNode.Parse(body)!["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
