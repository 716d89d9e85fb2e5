namespace EdgeTwin.Ingest.Tests.Processing;

using EdgeTwin.Ingest.Storage;
using EdgeTwin.Ingest.Tests.Integration;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;

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

    private static ChainRecord Obs(SimulatedGateway gw, DateTimeOffset now) =>
        gw.Telemetry.AppendObs(new ObsBody(gw.Patient, $"{gw.Gw}-mon", "loinc:8867-4", "/min", now, 0, [70]), now, ClockQuality.Synced);

    private static async Task<ChainRow?> RowAsync(InProcessIngest ingest, ChainId chain) =>
        (await ingest.Store.ChainsAsync(chain.Gw, default)).FirstOrDefault(c => c.Id == chain);
}
