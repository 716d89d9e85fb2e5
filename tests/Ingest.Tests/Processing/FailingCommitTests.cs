namespace EdgeTwin.Ingest.Tests.Processing;

using EdgeTwin.Ingest.Options;
using EdgeTwin.Ingest.Processing;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Ingest.Storage.LiteDb;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using Microsoft.Extensions.Time.Testing;
using static ProcessorHarness;

public sealed class FailingCommitTests
{
    [Fact]
    public async Task CommitFails_NothingStoredNoReceipt_TheRetryStoresAndVerifiesEverything()
    {
        // Without dropping the cached verifier on failure, the retry would see only "duplicates".
        using var g = new SimulatedGateway("ward7", "fail-1", T0, policy: new CheckpointPolicy { MaxRecords = 4, MaxDelay = TimeSpan.FromHours(1) });
        var dir = Directory.CreateTempSubdirectory("edgetwin-fail-").FullName;
        await using var inner = new LiteDbIngestStore(dir);
        await inner.InitializeAsync(default);
        var store = new FailOnceStore(inner);
        var options = new IngestOptions { Enrolled = { [g.Gw] = g.Key.Address } };
        var processor = new BatchProcessor(store, new FixedOptionsMonitor<IngestOptions>(options), new FakeTimeProvider(T0));
        g.ProduceObs(6, T0);
        var batch = g.All.Where(r => r.Lane == Lane.Telemetry).Select(r => Message(g, r)).ToList();

        await Assert.ThrowsAsync<IOException>(() => processor.ProcessAsync(batch, default));
        Assert.Equal(0, await inner.RecordCountAsync(default));

        var result = await processor.ProcessAsync(batch, default);
        Assert.Equal(batch.Count, result.Stored);
        Assert.Equal(batch.Count, await inner.RecordCountAsync(default));
        var lastCheckpoint = g.All.Last(r => r.Lane == Lane.Telemetry && r.Kind == "checkpoint");
        Assert.Equal(lastCheckpoint.Seq - 1, Assert.Single(result.Receipts).Seq);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task CommitFails_BatchOfTwoGateways_NeitherIsStored_TheRetryStoresBoth()
    {
        // One batch is one transaction: a failure leaves nothing of any gateway behind, and the
        // retry (both gateways' verifiers dropped) verifies and receipts both.
        var policy = new CheckpointPolicy { MaxRecords = 4, MaxDelay = TimeSpan.FromHours(1) };
        using var a = new SimulatedGateway("ward7", "fail-a", T0, policy: policy);
        using var b = new SimulatedGateway("ward8", "fail-b", T0, policy: policy);
        var dir = Directory.CreateTempSubdirectory("edgetwin-fail-").FullName;
        await using var inner = new LiteDbIngestStore(dir);
        await inner.InitializeAsync(default);
        var store = new FailOnceStore(inner);
        var options = new IngestOptions { Enrolled = { [a.Gw] = a.Key.Address, [b.Gw] = b.Key.Address } };
        var processor = new BatchProcessor(store, new FixedOptionsMonitor<IngestOptions>(options), new FakeTimeProvider(T0));
        a.ProduceObs(6, T0);
        b.ProduceObs(6, T0);
        var batch = a.All.Where(r => r.Lane == Lane.Telemetry).Select(r => Message(a, r))
            .Concat(b.All.Where(r => r.Lane == Lane.Telemetry).Select(r => Message(b, r))).ToList();

        await Assert.ThrowsAsync<IOException>(() => processor.ProcessAsync(batch, default));
        Assert.Equal(0, await inner.RecordCountAsync(default));
        Assert.Empty(await inner.ChainsAsync(null, default));

        var result = await processor.ProcessAsync(batch, default);
        Assert.Equal(batch.Count, result.Stored);
        Assert.Equal(batch.Count, await inner.RecordCountAsync(default));
        Assert.Equal([a.Gw, b.Gw], result.Receipts.Select(r => r.Gw).Order(StringComparer.Ordinal));
        Directory.Delete(dir, recursive: true);
    }

    /// <summary>Lets the work run inside the real transaction, then fails it once, as a lost connection at commit would.</summary>
    private sealed class FailOnceStore(IIngestStore inner) : DelegatingIngestStore(inner)
    {
        private bool _failed;

        public override Task<T> WriteAsync<T>(IReadOnlyCollection<ChainId> chains, Func<ChainId, string> siteOf, Func<ChainId, byte[]?>? heldState, Func<IWriteSession, Task<T>> work, CancellationToken ct) =>
            Inner.WriteAsync(chains, siteOf, heldState, async s =>
            {
                var result = await work(s);
                if (!_failed)
                {
                    _failed = true;
                    throw new IOException("connection lost at commit");
                }

                return result;
            }, ct);
    }
}
