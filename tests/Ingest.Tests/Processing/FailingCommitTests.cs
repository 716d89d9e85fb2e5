namespace EdgeTwin.Ingest.Tests.Processing;

using System.Text;
using EdgeTwin.Ingest.Alerts;
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
        var options = new IngestOptions { Enrolled = { [g.Gw] = g.Key.Address } };
        await using var rig = await Rig.OpenAsync(options);
        g.ProduceObs(6, T0);
        var batch = g.All.Where(r => r.Lane == Lane.Telemetry).Select(r => Message(g, r)).ToList();

        await Assert.ThrowsAsync<IOException>(() => rig.Processor.ProcessAsync(batch, default));
        Assert.Equal(0, await rig.Inner.RecordCountAsync(default));

        var result = await rig.Processor.ProcessAsync(batch, default);
        Assert.Equal(batch.Count, result.Stored);
        Assert.Equal(batch.Count, await rig.Inner.RecordCountAsync(default));
        var lastCheckpoint = g.All.Last(r => r.Lane == Lane.Telemetry && r.Kind == "checkpoint");
        Assert.Equal(lastCheckpoint.Seq - 1, Assert.Single(result.Receipts).Seq);
    }

    [Fact]
    public async Task CommitFails_BatchOfTwoGateways_NeitherIsStored_TheRetryStoresBoth()
    {
        // One batch is one transaction: a failure leaves nothing of any gateway behind, and the
        // retry (both gateways' verifiers dropped) verifies and receipts both.
        var policy = new CheckpointPolicy { MaxRecords = 4, MaxDelay = TimeSpan.FromHours(1) };
        using var a = new SimulatedGateway("ward7", "fail-a", T0, policy: policy);
        using var b = new SimulatedGateway("ward8", "fail-b", T0, policy: policy);
        var options = new IngestOptions { Enrolled = { [a.Gw] = a.Key.Address, [b.Gw] = b.Key.Address } };
        await using var rig = await Rig.OpenAsync(options);
        a.ProduceObs(6, T0);
        b.ProduceObs(6, T0);
        var batch = a.All.Where(r => r.Lane == Lane.Telemetry).Select(r => Message(a, r))
            .Concat(b.All.Where(r => r.Lane == Lane.Telemetry).Select(r => Message(b, r))).ToList();

        await Assert.ThrowsAsync<IOException>(() => rig.Processor.ProcessAsync(batch, default));
        Assert.Equal(0, await rig.Inner.RecordCountAsync(default));
        Assert.Empty(await rig.Inner.ChainsAsync(null, default));

        var result = await rig.Processor.ProcessAsync(batch, default);
        Assert.Equal(batch.Count, result.Stored);
        Assert.Equal(batch.Count, await rig.Inner.RecordCountAsync(default));
        Assert.Equal([a.Gw, b.Gw], result.Receipts.Select(r => r.Gw).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task CommitFails_ItsReplayAlert_IsRaisedAgainByTheRetry_AndStoredOnce()
    {
        // The replay alert is due once a minute per chain: a mark left by the batch that rolled back would
        // keep the retry from raising it, and the alert would be lost with the transaction.
        using var g = new SimulatedGateway("ward7", "fail-r", T0, policy: new CheckpointPolicy { MaxRecords = 4, MaxDelay = TimeSpan.FromHours(1) });
        var options = new IngestOptions { Enrolled = { [g.Gw] = g.Key.Address } };
        await using var rig = await Rig.OpenAsync(options);
        rig.Store.Armed = false;
        g.ProduceObs(6, T0);
        var sent = g.All.Where(r => r.Lane == Lane.Telemetry).ToList();
        Assert.NotEmpty((await rig.Processor.ProcessAsync([.. sent.Select(r => Message(g, r))], default)).Receipts);
        var replay = new List<IncomingMessage> { Message(g, sent.First(r => r.Kind == "obs")) };

        rig.Store.Armed = true;
        await Assert.ThrowsAsync<IOException>(() => rig.Processor.ProcessAsync(replay, default));
        var retry = await rig.Processor.ProcessAsync(replay, default);

        Assert.Single(retry.Alerts, a => a.Kind == AlertKind.Replay);
        Assert.Single(await rig.Inner.AlertsAsync(0, 100, default), a => a.Kind == AlertKind.Replay);
    }

    [Fact]
    public async Task CommitFails_OverTheEvidenceBudget_TheRetryKeepsWhatTheBudgetAllows_AndRaisesTheOverBudgetAlert()
    {
        // The budget's tokens and its alert's mark, taken by a batch that rolled back, go back: otherwise the
        // retry would keep none of the flood and raise no alert, though nothing of it was stored.
        using var g = new SimulatedGateway("ward7", "fail-b", T0);
        var options = new IngestOptions { Enrolled = { [g.Gw] = g.Key.Address }, EvidencePerGatewayPerMinute = 3, EvidencePerMinute = 5 };
        await using var rig = await Rig.OpenAsync(options);
        var record = g.All.Single(r => r.Lane == Lane.Telemetry);
        var flood = Enumerable.Range(0, 10).Select(i => Message(g, record, Encoding.UTF8.GetBytes($"noise {i}"))).ToList();

        await Assert.ThrowsAsync<IOException>(() => rig.Processor.ProcessAsync(flood, default));
        Assert.Empty(await rig.Inner.EvidenceAsync(100, default));
        var retry = await rig.Processor.ProcessAsync(flood, default);

        Assert.Equal((3, 7), (retry.EvidenceByProblem["malformed"], retry.EvidenceDroppedByProblem["malformed"]));
        Assert.Single(retry.Alerts, a => a.Kind == AlertKind.EvidenceOverBudget);
        Assert.Equal(3, (await rig.Inner.EvidenceAsync(100, default)).Count);
        Assert.Single(await rig.Inner.AlertsAsync(0, 100, default), a => a.Kind == AlertKind.EvidenceOverBudget);

        // The worker's bucket had its three tokens back too: two more of another name are kept, then it is empty.
        using var other = new SimulatedGateway("ward7", "fail-c", T0);
        var next = await rig.Processor.ProcessAsync([.. Enumerable.Range(0, 3).Select(i => Message(other, other.All[0], Encoding.UTF8.GetBytes($"other {i}")))], default);
        Assert.Equal((2, 1), (next.EvidenceByProblem["malformed"], next.EvidenceDroppedByProblem["malformed"]));
    }

    /// <summary>A LiteDB store in a directory of its own behind a <see cref="FailOnceStore"/> (armed), and a batch processor over it.</summary>
    private sealed class Rig : IAsyncDisposable
    {
        private readonly string _dir;

        private Rig(string dir, LiteDbIngestStore inner, IngestOptions options)
        {
            _dir = dir;
            Inner = inner;
            Store = new FailOnceStore(inner);
            Processor = new BatchProcessor(Store, new FixedOptionsMonitor<IngestOptions>(options), new FakeTimeProvider(T0));
        }

        public LiteDbIngestStore Inner { get; }

        public FailOnceStore Store { get; }

        public BatchProcessor Processor { get; }

        public static async Task<Rig> OpenAsync(IngestOptions options)
        {
            var dir = Directory.CreateTempSubdirectory("edgetwin-fail-").FullName;
            var inner = new LiteDbIngestStore(dir);
            await inner.InitializeAsync(default);
            return new Rig(dir, inner, options);
        }

        public async ValueTask DisposeAsync()
        {
            await Inner.DisposeAsync();
            Directory.Delete(_dir, recursive: true);
        }
    }

    /// <summary>Lets the work run inside the real transaction, then fails it once (when armed), as a lost connection at commit would.</summary>
    private sealed class FailOnceStore(IIngestStore inner) : DelegatingIngestStore(inner)
    {
        /// <summary>Whether the next write fails (then no longer armed).</summary>
        public bool Armed { get; set; } = true;

        public override Task<T> WriteAsync<T>(IReadOnlyCollection<ChainId> chains, Func<ChainId, string> siteOf, Func<ChainId, byte[]?>? heldState, Func<IWriteSession, Task<T>> work, CancellationToken ct) =>
            Inner.WriteAsync(chains, siteOf, heldState, async s =>
            {
                var result = await work(s);
                if (Armed)
                {
                    Armed = false;
                    throw new IOException("connection lost at commit");
                }

                return result;
            }, ct);
    }
}
