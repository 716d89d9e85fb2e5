namespace EdgeTwin.Ingest.Tests.Processing;

using System.Diagnostics.Metrics;
using EdgeTwin.Ingest.Metrics;
using EdgeTwin.Ingest.Options;
using EdgeTwin.Ingest.Processing;
using EdgeTwin.Ingest.Storage.LiteDb;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using static ProcessorHarness;

/// <summary>
/// Issue 13: a worker serving more gateways than <c>Ingest:VerifierCacheGateways</c> lets go of the one
/// used longest ago; that gateway's next batch continues from its chains' stored states. Real LiteDB store.
/// </summary>
public sealed class VerifierCacheEvictionTests : IDisposable
{
    private static readonly CheckpointPolicy EveryFour = new() { MaxRecords = 4, MaxDelay = TimeSpan.FromHours(1) };
    private readonly string _dir = Directory.CreateTempSubdirectory("edgetwin-cache-").FullName;

    [Fact]
    public async Task TwoGatewaysThroughACacheOfOne_EachBatchContinuesFromTheStoredState_EveryRecordVerifiedAndStoredOnce_EvictionsCountedAndToldOnceAnHour()
    {
        using var a = new SimulatedGateway("ward7", "bed-41", T0, policy: EveryFour);
        using var b = new SimulatedGateway("ward7", "bed-42", T0, policy: EveryFour);
        var options = new IngestOptions { VerifierCacheGateways = 1 };
        options.Enrolled[a.Gw] = a.Key.Address;
        options.Enrolled[b.Gw] = b.Key.Address;
        await using var store = new LiteDbIngestStore(_dir);
        await store.InitializeAsync(default);
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        using var evictions = new MetricCollector<long>(factory, IngestMetrics.MeterName, "edgetwin.ingest.verifier.cache.evictions");
        using var held = new MetricCollector<int>(factory, IngestMetrics.MeterName, "edgetwin.ingest.verifier.cache.gateways");
        var logger = new FakeLogger<BatchProcessor>();
        var time = new FakeTimeProvider(T0);
        var processor = new BatchProcessor(store, new FixedOptionsMonitor<IngestOptions>(options), time, metrics: new IngestMetrics(factory), logger: logger);

        // a, b, a, b, a, b: each batch's gateway was let go by the batch before (but the first), and each
        // batch ends with a checkpoint, so its chain verifies only if the stored state was taken up again.
        var pending = new Dictionary<string, List<ChainRecord>>
        {
            [a.Gw] = [.. a.All.Where(r => r.Lane == Lane.Telemetry)],
            [b.Gw] = [.. b.All.Where(r => r.Lane == Lane.Telemetry)],
        };
        var sent = 0;
        for (var turn = 0; turn < 6; turn++)
        {
            var g = turn % 2 == 0 ? a : b;
            var batch = pending[g.Gw];
            batch.AddRange(g.ProduceObs(turn < 2 ? 3 : 4, T0).Where(r => r.Lane == Lane.Telemetry));
            Assert.Equal(RecordKinds.Checkpoint, batch[^1].Kind);

            var result = await processor.ProcessAsync([.. batch.Select(r => Message(g, r))], default);

            sent += batch.Count;
            var head = batch[^1].Seq;
            var chain = (await store.ChainsAsync(g.Gw, default)).Single(c => c.Id.Lane == "telemetry");
            Assert.Equal((head - 1, head - 1, head + 1, 0L, 0L), (chain.VerifiedThrough, chain.ReceiptedThrough, chain.Received, chain.Missing, chain.BrokenLinks));
            Assert.Equal(head - 1, Assert.Single(result.Receipts).Seq);
            Assert.Equal(batch.Count, result.Stored);
            pending[g.Gw] = [];
        }

        Assert.Equal(sent, await store.RecordCountAsync(default));
        evictions.RecordObservableInstruments();
        held.RecordObservableInstruments();
        Assert.Equal(5, evictions.LastMeasurement!.Value);
        Assert.Equal(1, held.LastMeasurement!.Value);

        // Told when it first happened, not at every eviction; again once an hour has passed.
        Assert.Single(logger.Collector.GetSnapshot(), l => l.Id.Id == 7022 && l.Message.Contains("Ingest:VerifierCacheGateways", StringComparison.Ordinal));
        time.Advance(TimeSpan.FromMinutes(59));
        await processor.ProcessAsync([.. a.ProduceObs(4, T0).Where(r => r.Lane == Lane.Telemetry).Select(r => Message(a, r))], default);
        Assert.Single(logger.Collector.GetSnapshot(), l => l.Id.Id == 7022);
        time.Advance(TimeSpan.FromMinutes(1));
        await processor.ProcessAsync([.. b.ProduceObs(4, T0).Where(r => r.Lane == Lane.Telemetry).Select(r => Message(b, r))], default);
        Assert.Equal(2, logger.Collector.GetSnapshot().Count(l => l.Id.Id == 7022));
        evictions.RecordObservableInstruments();
        Assert.Equal(7, evictions.LastMeasurement!.Value);

        // Anyone can publish under a gateway name nobody enrolled: its records are evidence, and it takes
        // no room in the cache (it cannot push the enrolled gateways out).
        using var stranger = new SimulatedGateway("ward7", "bed-99", T0, policy: EveryFour);
        var refused = await processor.ProcessAsync([.. stranger.ProduceObs(4, T0).Prepend(stranger.All[0]).Where(r => r.Lane == Lane.Telemetry).Select(r => Message(stranger, r))], default);
        Assert.Equal(0, refused.Stored);
        evictions.RecordObservableInstruments();
        held.RecordObservableInstruments();
        Assert.Equal((7L, 1), (evictions.LastMeasurement!.Value, held.LastMeasurement!.Value));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
