namespace EdgeTwin.Ingest.Tests.Processing;

using EdgeTwin.Ingest.Alerts;
using EdgeTwin.Ingest.Processing;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Ingest.Storage.LiteDb;
using EdgeTwin.Ingest.Storage.Postgres;
using EdgeTwin.Ingest.Tests.Integration;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Signing;
using EdgeTwin.Telemetry.Verification;
using static ProcessorHarness;

/// <summary>
/// Issue 11, item 2 through the batch processor: records a stranger chains onto a gateway's head and
/// publishes before the gateway's own never become the chain's records, never block the genuine ones
/// and never break the chain; they end in the evidence. Run once per storage backend.
/// Layout (checkpoint every 4): 0 genesis, 1-3 obs, 4 cp | 5-8 obs, 9 cp.
/// </summary>
public abstract class InjectedBranchProcessorTests
{
    private static readonly CheckpointPolicy EveryFour = new() { MaxRecords = 4, MaxDelay = TimeSpan.FromHours(1) };

    internal abstract Task<Func<string, IIngestStore>> BackendAsync();

    /// <summary>A gateway whose telemetry chain is stored and verified through seq 3 (checkpoint 4 is its head).</summary>
    private async Task<(SimulatedGateway G, ProcessorHarness H)> StartAsync(string gw)
    {
        var g = new SimulatedGateway("ward7", gw, T0, policy: EveryFour);
        var h = await CreateAsync(await BackendAsync(), g);
        g.ProduceObs(3, T0);
        await h.SendAsync(g, g.All.Where(r => r.Lane == Lane.Telemetry));
        return (g, h);
    }

    private static List<ChainRecord> Inject(SimulatedGateway g, ChainRecord head, int count, int sample = 500)
    {
        using var stranger = GatewayKey.Generate();
        var w = ChainWriter.Resume(new ChainState(g.Gw, Lane.Telemetry, head.Epoch, head.Seq, head.Hash, 0, null), stranger, EveryFour);
        return [.. Enumerable.Range(0, count).Select(i => w.AppendObs(new ObsBody(g.Patient, $"{g.Gw}-mon", "loinc:8867-4", "/min", T0, 0, [sample + i]), T0, ClockQuality.Synced))];
    }

    [Fact]
    public async Task InjectedPairBeforeTheGenuineRecords_GenuineVerifyAndAreTheStoredOnes_InjectedInEvidence()
    {
        var (g, h) = await StartAsync("bed-30");
        using var gateway = g;
        await using var harness = h;
        var injected = Inject(g, g.All.Last(r => r.Lane == Lane.Telemetry), 2);

        var first = await h.SendAsync(g, injected);
        var genuine = g.ProduceObs(4, T0);
        var result = await h.SendAsync(g, genuine);

        var chain = await h.ChainAsync(g, Lane.Telemetry);
        Assert.Equal((8L, 8L, 0L, 0L, 2L), (chain.VerifiedThrough, chain.ReceiptedThrough, chain.BrokenLinks, chain.Forks, chain.UnsignedBranch));
        Assert.Empty(first.Receipts);
        Assert.Equal(8, Assert.Single(result.Receipts).Seq);
        Assert.Contains(result.Alerts, a => a.Kind == AlertKind.UnsignedBranch);
        Assert.DoesNotContain(result.Alerts, a => a.Kind is AlertKind.Fork or AlertKind.BrokenLink);

        var data = await h.Store.VerifiedRecordsAsync(new RecordQuery(null, g.Gw, null, null, 1000), default);
        Assert.Equal(genuine.Where(r => r.Seq <= 8).Select(r => r.Hash), data.Where(r => r.Seq >= 5).Select(r => r.Hash));
        var evidence = await h.Store.EvidenceAsync(100, default);
        Assert.All(injected, i => Assert.Contains(evidence, e => e.Hash == i.Hash && e.Problem.StartsWith(VerifierProblems.UnsignedBranch, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task InjectedRecordFarBehindTheNextCheckpoint_GenuineStillTakesItsSeq()
    {
        // The checkpoint that decides reaches back further than the verifier's window of remembered
        // links (ChainVerification.RecentWindow): the stored record at the far end is still checked
        // against what the checkpoint linked (the log of decided links), not taken as verified.
        var span = ChainVerification.RecentWindow * 3;
        using var g = new SimulatedGateway("ward7", "bed-33", T0, policy: new CheckpointPolicy { MaxRecords = span, MaxDelay = TimeSpan.FromHours(1) });
        await using var h = await CreateAsync(await BackendAsync(), g);
        var genesis = g.All.Where(r => r.Lane == Lane.Telemetry).ToList();
        await h.SendAsync(g, genesis);
        using var stranger = GatewayKey.Generate();
        var head = genesis[^1];
        var injected = ChainWriter.Resume(new ChainState(g.Gw, Lane.Telemetry, head.Epoch, head.Seq, head.Hash, 0, null), stranger, EveryFour)
            .AppendObs(new ObsBody(g.Patient, $"{g.Gw}-mon", "loinc:8867-4", "/min", T0, 0, [500]), T0, ClockQuality.Synced);

        await h.SendAsync(g, [injected]);
        var genuine = g.ProduceObs(span, T0);
        await h.SendAsync(g, genuine);

        var chain = await h.ChainAsync(g, Lane.Telemetry);
        var checkpoint = genuine.First(r => r.Kind == "checkpoint");
        Assert.True(checkpoint.Seq > ChainVerification.RecentWindow + injected.Seq, "the checkpoint must reach back beyond the window");
        Assert.Equal((checkpoint.Seq - 1, 0L, 1L), (chain.VerifiedThrough, chain.BrokenLinks, chain.UnsignedBranch));
        var stored = await h.Store.VerifiedRecordsAsync(new RecordQuery(null, g.Gw, null, null, 5000), default);
        Assert.Equal(genuine.First(r => r.Seq == injected.Seq).Hash, stored.Single(r => r.Seq == injected.Seq).Hash);
        Assert.DoesNotContain(stored, r => r.Hash == injected.Hash);
    }

    [Fact]
    public async Task InjectedRecordsOneBatchEach_WithARestartBetween_StillDecidedForTheGenuine()
    {
        var (g, h) = await StartAsync("bed-31");
        using var gateway = g;
        await using var harness = h;
        var injected = Inject(g, g.All.Last(r => r.Lane == Lane.Telemetry), 3);
        foreach (var i in injected)
        {
            await h.SendAsync(g, [i]);
        }

        await h.RestartAsync();
        foreach (var r in g.ProduceObs(4, T0))
        {
            await h.SendAsync(g, [r]);
        }

        var chain = await h.ChainAsync(g, Lane.Telemetry);
        Assert.Equal((8L, 0L, 3L), (chain.VerifiedThrough, chain.BrokenLinks, chain.UnsignedBranch));
        var stored = await h.Store.VerifiedRecordsAsync(new RecordQuery(null, g.Gw, null, null, 1000), default);
        Assert.DoesNotContain(stored, r => injected.Any(i => i.Hash == r.Hash));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // a worker restarted meanwhile: nothing of the stall is remembered but the store
    public async Task InjectedRecordFirst_TheGenuineTooLargeToComeBackFromTheEvidence_NeverTakenAsVerified_AndTheResendTakesItsSeq(bool restart)
    {
        // The stranger's record is stored first at seq 5; the gateway's own (a waveform run larger than
        // the evidence keeps whole, EvidencePayload.KeptBytes) is held beside it and set aside. When the
        // checkpoint decides for the genuine one it cannot come back from the evidence: verification
        // stops short of seq 5. It must stay stopped however far the chain goes on (beyond the verifier's
        // memory of links too), until the gateway re-sends its record, which then takes the seq.
        var (g, h) = await StartAsync(restart ? "bed-35" : "bed-34");
        using var gateway = g;
        await using var harness = h;
        var injected = Inject(g, g.All.Last(r => r.Lane == Lane.Telemetry), 1);
        await h.SendAsync(g, injected);
        var large = g.Telemetry.AppendObs(new ObsBody(g.Patient, $"{g.Gw}-ecg", "mdc:131329", "mV", T0, 0.004, [.. Enumerable.Range(0, 1500).Select(i => (double?)(i % 97) / 100)]), T0, ClockQuality.Synced);
        Assert.Equal(injected[0].Seq, large.Seq);
        Assert.True(large.Payload.Length > EvidencePayload.KeptBytes, "larger than the evidence keeps");
        var first = await h.SendAsync(g, [large, .. g.ProduceObs(3, T0)]);
        Assert.Equal(4L, (await h.ChainAsync(g, Lane.Telemetry)).VerifiedThrough);
        Assert.Equal(large.Seq, Assert.Single(first.Alerts, a => a.Kind == AlertKind.VerificationStalled).Seq);

        // The chain goes on far beyond the verifier's memory of links, in batches as MQTT brings them.
        // After a restart the links are found again from the store, page by page (more than one here).
        var later = g.ProduceObs(ChainVerification.RecentWindow * (restart ? 6 : 3), T0);
        var batches = later.Chunk(16).ToList();
        for (var i = 0; i < batches.Count; i++)
        {
            await h.SendAsync(g, batches[i]);
            if (restart && i == batches.Count / 2)
            {
                await h.RestartAsync(); // past the verifier's memory of seq 5 by now
            }
        }

        // Said once per stall and worker: again after a restart, not with every batch.
        var stalls = (await h.Store.AlertsAsync(0, 10_000, default)).Count(a => a.Kind == AlertKind.VerificationStalled);
        Assert.Equal(restart ? 2 : 1, stalls);
        var stalled = await h.ChainAsync(g, Lane.Telemetry);
        Assert.Equal(4L, stalled.VerifiedThrough);
        var data = await h.Store.VerifiedRecordsAsync(new RecordQuery(null, g.Gw, null, null, 5000), default);
        Assert.DoesNotContain(data, r => r.Hash == injected[0].Hash);

        // The gateway re-sends what was not receipted: its record takes seq 5, the stranger's goes to the evidence.
        var resent = await h.SendAsync(g, [large]);
        var chain = await h.ChainAsync(g, Lane.Telemetry);
        Assert.Equal(later.Last(r => r.Kind == "checkpoint").Seq - 1, chain.VerifiedThrough);
        data = await h.Store.VerifiedRecordsAsync(new RecordQuery(null, g.Gw, null, null, 5000), default);
        Assert.Equal(large.Hash, data.Single(r => r.Seq == large.Seq).Hash);
        Assert.Contains(await h.Store.EvidenceAsync(1000, default), e => e.Hash == injected[0].Hash && e.Problem.StartsWith(VerifierProblems.UnsignedBranch, StringComparison.Ordinal));
        Assert.DoesNotContain(first.Alerts.Concat(resent.Alerts), a => a.Kind is AlertKind.Fork or AlertKind.BrokenLink);
    }

    [Fact]
    public async Task StrangersFillingASeqFirst_TheRefusedGenuineRecordComesBackFromTheEvidence()
    {
        var (g, h) = await StartAsync("bed-32");
        using var gateway = g;
        await using var harness = h;
        var head = g.All.Last(r => r.Lane == Lane.Telemetry);
        foreach (var i in Enumerable.Range(0, new VerifierOptions().MaxAlternativesPerSeq + 2))
        {
            await h.SendAsync(g, Inject(g, head, 1, sample: 700 + i));
        }

        var genuine = g.ProduceObs(4, T0);
        await h.SendAsync(g, genuine);

        var chain = await h.ChainAsync(g, Lane.Telemetry);
        Assert.Equal((8L, 0L), (chain.VerifiedThrough, chain.BrokenLinks));
        var data = await h.Store.VerifiedRecordsAsync(new RecordQuery(null, g.Gw, null, null, 1000), default);
        Assert.Equal(genuine[0].Hash, data.Single(r => r.Seq == 5).Hash);
    }
}

public sealed class InjectedBranchLiteDbTests : InjectedBranchProcessorTests
{
    internal override Task<Func<string, IIngestStore>> BackendAsync() => Task.FromResult<Func<string, IIngestStore>>(dir => new LiteDbIngestStore(dir));
}

[Collection(PostgresCollection.Name)]
public sealed class InjectedBranchPostgresTests(PostgresFixture pg) : InjectedBranchProcessorTests
{
    internal override async Task<Func<string, IIngestStore>> BackendAsync()
    {
        var connection = await pg.CreateDatabaseAsync();
        return _ => new PostgresIngestStore(connection);
    }
}
