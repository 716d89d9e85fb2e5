namespace EdgeTwin.Ingest.Tests.Processing;

using EdgeTwin.Ingest.Options;
using EdgeTwin.Ingest.Processing;
using EdgeTwin.Ingest.Storage.Postgres;
using EdgeTwin.Ingest.Tests.Integration;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using Microsoft.Extensions.Time.Testing;
using static ProcessorHarness;

/// <summary>
/// Issue 13: a worker does not read back a chain state it wrote itself and that is still the stored
/// one. When another worker advanced the chain meanwhile, the stored state is no longer the one it
/// holds, and it must read it: two workers (two processors, two connection pools, one database) take
/// turns on one chain, and every record ends verified and stored once.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ChainBetweenWorkersTests(PostgresFixture pg)
{
    private static readonly CheckpointPolicy EveryFour = new() { MaxRecords = 4, MaxDelay = TimeSpan.FromHours(1) };

    [Fact]
    public async Task TwoWorkersTakingTurnsOnOneChain_EachReadsWhatTheOtherStored_EveryRecordVerifiedAndStoredOnce()
    {
        using var g = new SimulatedGateway("ward7", "bed-41", T0, policy: EveryFour);
        var options = new IngestOptions();
        options.Enrolled[g.Gw] = g.Key.Address;
        var connection = await pg.CreateDatabaseAsync();
        await using var storeA = new PostgresIngestStore(connection);
        await using var storeB = new PostgresIngestStore(connection);
        await storeA.InitializeAsync(default);
        var a = new BatchProcessor(storeA, new FixedOptionsMonitor<IngestOptions>(options), new FakeTimeProvider(T0));
        var b = new BatchProcessor(storeB, new FixedOptionsMonitor<IngestOptions>(options), new FakeTimeProvider(T0));

        // A, B, A, A (its own state: left out of the lock), B, A: each turn ends with a checkpoint
        // (genesis, 3 obs, checkpoint 4 | 4 obs, checkpoint 9 | ...).
        var turns = new[] { a, b, a, a, b, a };
        var sent = g.All.Where(r => r.Lane == Lane.Telemetry).ToList();
        var batch = sent.ToList();
        long total = 0;
        foreach (var (worker, i) in turns.Select((w, i) => (w, i)))
        {
            batch.AddRange(g.ProduceObs(i == 0 ? 3 : 4, T0).Where(r => r.Lane == Lane.Telemetry));
            Assert.Equal(RecordKinds.Checkpoint, batch[^1].Kind);
            var result = await worker.ProcessAsync([.. batch.Select(r => Message(g, r))], default);
            total += batch.Count;
            var chain = (await storeA.ChainsAsync(g.Gw, default)).Single(c => c.Id.Lane == "telemetry");
            var head = batch[^1].Seq;

            Assert.Equal((head - 1, head - 1, 0L, 0L), (chain.VerifiedThrough, chain.ReceiptedThrough, chain.Missing, chain.BrokenLinks));
            Assert.Equal(head - 1, Assert.Single(result.Receipts).Seq);
            Assert.Equal(head + 1, chain.Received);
            batch = [];
        }

        Assert.Equal(30, total);
        Assert.Equal(30, await storeA.RecordCountAsync(default));
    }
}
