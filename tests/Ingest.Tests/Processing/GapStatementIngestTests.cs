namespace EdgeTwin.Ingest.Tests.Processing;

using EdgeTwin.Ingest.Storage;
using EdgeTwin.Ingest.Tests.Integration;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Signing;

/// <summary>
/// A gateway that dropped unsent records (quota, a full disk) says so with a signed gap statement
/// (docs/protocol.md): the real ingest (real mosquitto, LiteDB) passes the stated seqs on its word,
/// stores nothing for them, and goes on verifying and receipting the records after the gap.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class GapStatementIngestTests(MosquittoFixture broker)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly CheckpointPolicy Explicit = new() { MaxRecords = 1000, MaxDelay = TimeSpan.FromHours(1) };

    [Fact]
    public async Task AGapStatement_PassesTheDroppedSeqs_AndTheRecordsAfterItAreVerifiedStoredOnceAndReceipted()
    {
        var now = DateTimeOffset.UtcNow;
        using var gw = new SimulatedGateway("ward7", "gap-passed", now, policy: Explicit);
        await using var ingest = await InProcessIngest.StartAsync(broker.Uri, [$"--Ingest:Enrolled:{gw.Gw}={gw.Key.Address}"]);
        await using var mqtt = await TestMqttClient.ConnectAsync(broker.Port);
        mqtt.Track(gw);

        // genesis 0, obs 1, checkpoint 2, obs 3 and 4 dropped unsent and stated in the gap at 5, obs 6,
        // checkpoint 7, obs 8, checkpoint 9.
        var w = gw.Telemetry;
        var sent = new List<ChainRecord> { gw.All.Single(r => r.Lane == Lane.Telemetry), gw.ProduceObs(1, now).Single(), w.Checkpoint(now, ClockQuality.Synced)! };
        var dropped = Enumerable.Range(0, 2).Select(_ => gw.ProduceObs(1, now).Single()).ToList();
        sent.Add(w.AppendGap(dropped[0].Seq, dropped[^1].Seq, dropped[0].Prev, dropped[^1].Hash, "quota", now, ClockQuality.Synced));
        sent.Add(gw.ProduceObs(1, now).Single());
        sent.Add(w.Checkpoint(now, ClockQuality.Synced)!);
        sent.Add(gw.ProduceObs(1, now).Single());
        sent.Add(w.Checkpoint(now, ClockQuality.Synced)!);
        Assert.Equal([0L, 1, 2, 5, 6, 7, 8, 9], sent.Select(r => r.Seq));
        foreach (var r in sent)
        {
            await mqtt.PublishAsync(gw, r);
        }

        var chain = new ChainId(gw.Gw, "telemetry", w.State.Epoch);
        // Checkpoint 9 covers 8 (a checkpoint itself is verified by the next one).
        await InProcessIngest.EventuallyAsync(async () => await RowAsync(ingest, chain) is { VerifiedThrough: 8 }, Wait,
            () => $"verified through 8 (now {RowAsync(ingest, chain).GetAwaiter().GetResult()?.VerifiedThrough})");
        await InProcessIngest.EventuallyAsync(() => Task.FromResult(gw.ReceiptedThrough(Lane.Telemetry) == 8), Wait,
            () => $"receipted through 8 (now {gw.ReceiptedThrough(Lane.Telemetry)})");

        var row = (await RowAsync(ingest, chain))!;
        Assert.Equal((2L, 0L), (row.GapCovered, row.Missing));
        Assert.Equal(sent.Count, await ingest.Store.RecordCountAsync(default)); // 3 and 4 stored as nothing, the rest once
    }

    [Fact]
    public async Task AStrangersObservationPublishedInsideTheGap_IsNeverServedAsVerified_ItIsEvidence()
    {
        // Anyone may publish on the broker: a forged observation at a seq the gateway evicted and stated
        // in its gap, published before and after the statement, chained onto the record before it.
        var now = DateTimeOffset.UtcNow;
        using var gw = new SimulatedGateway("ward7", "gap-forged", now, policy: Explicit);
        await using var ingest = await InProcessIngest.StartAsync(broker.Uri, [$"--Ingest:Enrolled:{gw.Gw}={gw.Key.Address}"]);
        await using var mqtt = await TestMqttClient.ConnectAsync(broker.Port);
        mqtt.Track(gw);

        // genesis 0, obs 1, checkpoint 2, obs 3..5 evicted and stated in the gap at 6, obs 7, checkpoint 8.
        var w = gw.Telemetry;
        var sent = new List<ChainRecord> { gw.All.Single(r => r.Lane == Lane.Telemetry), gw.ProduceObs(1, now).Single(), w.Checkpoint(now, ClockQuality.Synced)! };
        var evicted = gw.ProduceObs(3, now);
        sent.Add(w.AppendGap(evicted[0].Seq, evicted[^1].Seq, evicted[0].Prev, evicted[^1].Hash, "quota", now, ClockQuality.Synced));
        sent.Add(gw.ProduceObs(1, now).Single());
        sent.Add(w.Checkpoint(now, ClockQuality.Synced)!);
        using var stranger = GatewayKey.Generate();
        ChainRecord Forge(ChainRecord before, double value) =>
            ChainWriter.Resume(new ChainState(gw.Gw, Lane.Telemetry, before.Epoch, before.Seq, before.Hash, 0, null), stranger, Explicit)
                .AppendObs(new ObsBody(gw.Patient, $"{gw.Gw}-mon", "loinc:8867-4", "/min", now, 0, [value]), now, ClockQuality.Synced);
        var early = Forge(evicted[0], 190); // seq 4, before the statement is decided
        var late = Forge(sent[2], 30); // seq 3, after (at seq 5, whose hash the statement names, another record is a fork, as at any verified seq)

        await mqtt.PublishAsync(gw, early);
        foreach (var r in sent)
        {
            await mqtt.PublishAsync(gw, r);
        }

        var chain = new ChainId(gw.Gw, "telemetry", w.State.Epoch);
        await InProcessIngest.EventuallyAsync(async () => await RowAsync(ingest, chain) is { VerifiedThrough: 7 }, Wait,
            () => $"verified through 7 (now {RowAsync(ingest, chain).GetAwaiter().GetResult()?.VerifiedThrough})");
        await mqtt.PublishAsync(gw, late);
        await InProcessIngest.EventuallyAsync(async () => (await ingest.Store.EvidenceAsync(100, default)).Any(e => e.Hash == late.Hash), Wait, () => "the late forgery kept as evidence");

        var data = await ingest.Store.VerifiedRecordsAsync(new RecordQuery(null, gw.Gw, null, null, 100), default);
        Assert.Equal(sent.Where(r => r.Seq < 8).Select(r => r.Hash), data.Select(r => r.Hash));
        var evidence = await ingest.Store.EvidenceAsync(100, default);
        Assert.All(new[] { early, late }, f => Assert.Contains(evidence, e => e.Hash == f.Hash && e.Problem.StartsWith("inside-gap:", StringComparison.Ordinal)));
        Assert.DoesNotContain(await ingest.Store.AlertsAsync(0, 100, default), a => a.Kind is "fork" or "broken-link");
    }

    [Fact]
    public async Task AStrangersGapStatementOverARecordStillInFlight_IsNotCrossed_TheRecordIsDataWhenItComes_AndNoReceiptPassesIt()
    {
        // Anyone may publish on the broker, and every hash a statement needs travels on it: seq 3 names the
        // hash of seq 2, seq 2's prev is seq 1's hash. While seq 2 is late, a stranger states a gap over it
        // with both copied. The gateway never stated that gap: its checkpoint must not pass seq 2 on it, or the
        // record would be evidence when it came and the receipt would have the gateway delete it unstored.
        var now = DateTimeOffset.UtcNow;
        using var gw = new SimulatedGateway("ward7", "gap-claimed", now, policy: Explicit);
        await using var ingest = await InProcessIngest.StartAsync(broker.Uri, [$"--Ingest:Enrolled:{gw.Gw}={gw.Key.Address}"]);
        await using var mqtt = await TestMqttClient.ConnectAsync(broker.Port);
        mqtt.Track(gw);

        var w = gw.Telemetry;
        var genesis = gw.All.Single(r => r.Lane == Lane.Telemetry);
        var obs = gw.ProduceObs(3, now); // seqs 1-3
        var checkpoint = w.Checkpoint(now, ClockQuality.Synced)!; // seq 4
        using var stranger = GatewayKey.Generate();
        var claim = ChainWriter.Resume(new ChainState(gw.Gw, Lane.Telemetry, obs[2].Epoch, obs[2].Seq, obs[2].Hash, 0, null), stranger, Explicit)
            .AppendGap(obs[1].Seq, obs[1].Seq, obs[1].Prev, obs[1].Hash, "quota", now, ClockQuality.Synced);
        foreach (var r in new[] { genesis, obs[0], obs[2], checkpoint, claim })
        {
            await mqtt.PublishAsync(gw, r);
        }

        var chain = new ChainId(gw.Gw, "telemetry", w.State.Epoch);
        await InProcessIngest.EventuallyAsync(async () => (await ingest.Store.EvidenceAsync(100, default)).Any(e => e.Hash == claim.Hash), Wait, () => "the claim kept as evidence");
        var row = (await RowAsync(ingest, chain))!;
        Assert.Equal((-1L, 0L, 1L), (row.VerifiedThrough, row.GapCovered, row.Missing)); // seq 2 missing, on the checkpoint's word

        await mqtt.PublishAsync(gw, obs[1]);
        await InProcessIngest.EventuallyAsync(() => Task.FromResult(gw.ReceiptedThrough(Lane.Telemetry) == obs[2].Seq), Wait,
            () => $"receipted through {obs[2].Seq} (now {gw.ReceiptedThrough(Lane.Telemetry)})");
        row = (await RowAsync(ingest, chain))!;
        Assert.Equal((obs[2].Seq, 0L, 0L), (row.VerifiedThrough, row.GapCovered, row.Missing));
        var data = await ingest.Store.VerifiedRecordsAsync(new RecordQuery(null, gw.Gw, null, null, 100), default);
        Assert.Equal(new[] { genesis, obs[0], obs[1], obs[2] }.Select(r => r.Hash), data.Select(r => r.Hash));
    }

    private static ChainRecord Obs(SimulatedGateway gw, DateTimeOffset now) =>
        gw.Telemetry.AppendObs(new ObsBody(gw.Patient, $"{gw.Gw}-mon", "loinc:8867-4", "/min", now, 0, [70]), now, ClockQuality.Synced);

    private static async Task<ChainRow?> RowAsync(InProcessIngest ingest, ChainId chain) =>
        (await ingest.Store.ChainsAsync(chain.Gw, default)).FirstOrDefault(c => c.Id == chain);
}
