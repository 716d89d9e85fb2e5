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

/// <summary>
/// The processor under the worker's store lanes: batches of different gateways side by side, never
/// two batches of one gateway at once (its verifier is one object).
/// </summary>
public sealed class ProcessorLanesTests
{
    [Fact]
    public async Task ABatchOfAGatewayBeingStored_IsRefusedBeforeAnythingIsWritten_AnotherGatewaysBatchGoesOnBesideIt()
    {
        var policy = new CheckpointPolicy { MaxRecords = 4, MaxDelay = TimeSpan.FromHours(1) };
        using var a = new SimulatedGateway("ward7", "lane-a", T0, policy: policy);
        using var b = new SimulatedGateway("ward7", "lane-b", T0, policy: policy);
        var dir = Directory.CreateTempSubdirectory("edgetwin-lanes-").FullName;
        await using var inner = new LiteDbIngestStore(dir);
        await inner.InitializeAsync(default);
        var store = new HoldingStore(inner, a.Gw);
        var options = new IngestOptions { Enrolled = { [a.Gw] = a.Key.Address, [b.Gw] = b.Key.Address } };
        var processor = new BatchProcessor(store, new FixedOptionsMonitor<IngestOptions>(options), new FakeTimeProvider(T0));
        a.ProduceObs(6, T0);
        b.ProduceObs(6, T0);
        var batchA = a.All.Where(r => r.Lane == Lane.Telemetry).Select(r => Message(a, r)).ToList();
        var batchB = b.All.Where(r => r.Lane == Lane.Telemetry).Select(r => Message(b, r)).ToList();

        var first = processor.ProcessAsync(batchA[..3], default);
        await store.Holding.WaitAsync(Timeout);

        // A second batch of the same gateway while the first is in its transaction: refused at once.
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => processor.ProcessAsync(batchA[3..], default));
        Assert.Contains($"gateway '{a.Gw}' is in a batch being stored already", refused.Message, StringComparison.Ordinal);
        Assert.Equal(1, store.Writes);

        // Another gateway's batch is stored beside it.
        var resultB = await processor.ProcessAsync(batchB, default).WaitAsync(Timeout);
        Assert.Equal(batchB.Count, resultB.Stored);
        Assert.Equal(batchB.Count, await inner.RecordCountAsync(default));
        Assert.False(first.IsCompleted);

        store.Release();
        Assert.Equal(3, (await first.WaitAsync(Timeout)).Stored);

        // Once the first is committed the gateway's next batch is taken, and the chain is whole.
        var rest = await processor.ProcessAsync(batchA[3..], default).WaitAsync(Timeout);
        Assert.Equal(batchA.Count - 3, rest.Stored);
        Assert.Equal(batchA.Count + batchB.Count, await inner.RecordCountAsync(default));
        var lastCheckpoint = a.All.Last(r => r.Lane == Lane.Telemetry && r.Kind == "checkpoint");
        Assert.Equal(lastCheckpoint.Seq - 1, Assert.Single(rest.Receipts).Seq);
        Directory.Delete(dir, recursive: true);
    }

    private static TimeSpan Timeout => TimeSpan.FromSeconds(30);

    /// <summary>Holds a write that touches the named gateway's chains before it reaches the real store, until released.</summary>
    private sealed class HoldingStore(IIngestStore inner, string held) : DelegatingIngestStore(inner)
    {
        private readonly TaskCompletionSource _holding = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _writes;

        public Task Holding => _holding.Task;

        public int Writes => Volatile.Read(ref _writes);

        public void Release() => _release.SetResult();

        public override async Task<T> WriteAsync<T>(IReadOnlyCollection<ChainId> chains, Func<ChainId, string> siteOf, Func<ChainId, byte[]?>? heldState, Func<IWriteSession, Task<T>> work, CancellationToken ct)
        {
            Interlocked.Increment(ref _writes);
            if (chains.Any(c => c.Gw == held) && !_release.Task.IsCompleted)
            {
                _holding.TrySetResult();
                await _release.Task;
            }

            return await Inner.WriteAsync(chains, siteOf, heldState, work, ct);
        }
    }
}
