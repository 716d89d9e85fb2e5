namespace EdgeTwin.Ingest.Tests.Processing;

using EdgeTwin.Ingest.Alerts;
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
/// Between batches a chain's remembered links are at rest in the store: every one of them is the hash of
/// the record stored and verified at its seq, so neither the worker's memory nor the stored chain state
/// keeps them (docs/ingest.md, "Memory per chain"). A later record that needs them (a repeat or a forgery
/// at a verified seq, a late checkpoint, a gap statement from verified seqs) has them read back from the
/// store once, and is decided as it was with them in memory. Run once per storage backend.
/// </summary>
public abstract class LinksAtRestIngestTests
{
    private static readonly CheckpointPolicy Manual = new() { MaxRecords = 10_000, MaxDelay = TimeSpan.FromHours(1) };

    internal abstract Task<Func<string, IIngestStore>> BackendAsync();

    [Fact]
    public async Task AfterABatch_TheStoredStateListsNoLink_ARepeatAndAForgeryLater_ReadThemBackOnce_AndAreADuplicateAndAFork_AlsoAfterARestart()
    {
        using var g = new SimulatedGateway("ward7", "rest-repeat", T0, policy: Manual);
        await using var h = await CreateAsync(await BackendAsync(), g);
        var sent = Send(g, 40);
        var first = await h.SendAsync(g, sent);
        var state = (await h.ChainAsync(g, Lane.Telemetry)).DecodeState()!;

        var repeat = await h.SendAsync(g, [sent[10]]);
        var forged = await h.SendAsync(g, [InsideGapTests.Forge(g, sent[9])]);
        await h.RestartAsync();
        var afterRestart = await h.SendAsync(g, [sent[20]]);

        Assert.Equal((40L, 40L), (state.LinkedThrough, (await h.ChainAsync(g, Lane.Telemetry)).VerifiedThrough));
        Assert.Empty(state.Recent);
        Assert.Equal((0, 1, 1, 1), (first.LinksRestored, repeat.LinksRestored, forged.LinksRestored, afterRestart.LinksRestored));
        Assert.Equal((1, 1), (repeat.Duplicates, afterRestart.Duplicates));
        Assert.Contains(forged.Alerts, a => a.Kind == AlertKind.Fork && a.Seq == 10);
        var chain = await h.ChainAsync(g, Lane.Telemetry);
        Assert.Equal((2L, 1L, 40L), (chain.Duplicates, chain.Forks, chain.VerifiedThrough));
        Assert.Empty(chain.DecodeState()!.Recent);
        Assert.Equal(sent.Count, await h.Store.RecordCountAsync(default));
    }

    [Fact]
    public async Task ALateCheckpointSignedByTheGatewayKey_NamingAnotherRecordBeforeIt_IsEquivocation_TheLinkReadBack()
    {
        using var g = new SimulatedGateway("ward7", "rest-equivocation", T0, policy: Manual);
        await using var h = await CreateAsync(await BackendAsync(), g);
        var sent = Send(g, 10); // 0 genesis, 1-10 obs, 11 checkpoint
        await h.SendAsync(g, sent);
        await h.SendAsync(g, Send(g, 10, withGenesis: false)); // 12-21 obs, 22 checkpoint: verified through 21

        // The gateway key signs a second checkpoint at seq 11, over a 10' it never published: its own seq is at
        // rest, and so is the link before it, which it contradicts.
        var w = ChainWriter.Resume(new ChainState(g.Gw, Lane.Telemetry, sent[9].Epoch, sent[9].Seq, sent[9].Hash, 0, null), g.Key, Manual);
        w.AppendObs(new ObsBody(g.Patient, $"{g.Gw}-mon", "loinc:8867-4", "/min", T0, 0, [199]), T0, ClockQuality.Synced);
        var second = w.Checkpoint(T0, ClockQuality.Synced)!;
        Assert.Equal(11L, second.Seq);
        var result = await h.SendAsync(g, [second]);

        Assert.Equal(1, result.LinksRestored);
        Assert.Contains(result.Alerts, a => a.Kind == AlertKind.Fork && a.Seq == 11);
        Assert.Contains(result.Alerts, a => a.Kind == AlertKind.BrokenLink);
        var chain = await h.ChainAsync(g, Lane.Telemetry);
        Assert.True(chain.BrokenLinks >= 1);
        Assert.Contains(chain.DecodeState()!.Problems, p => p.Contains(VerifierProblems.Equivocation, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(10, 8, 20)] // the link before the statement at rest in the window
    [InlineData(200, 100, 240)] // 101 seqs behind the head, out of the window of 64 (before 2026-12-07: never crossed)
    public async Task AGapStatementFromSeqsVerifiedInAnEarlierBatch_IsCrossed_TheLinkBeforeItReadFromTheStore(int obs, int from, int to)
    {
        using var g = new SimulatedGateway("ward7", $"rest-gap-{from}", T0, policy: Manual);
        await using var h = await CreateAsync(await BackendAsync(), g);
        var sent = Send(g, obs); // verified through obs
        await h.SendAsync(g, sent);

        // Then the gateway (its receipts lost) evicted from `from` to `to`, the records after its checkpoint never
        // published, and says so.
        var evicted = g.ProduceObs(to - obs - 1, T0);
        Assert.Equal(to, evicted[^1].Seq);
        var w = g.Telemetry;
        var statement = w.AppendGap(from, to, sent[from].Prev, evicted[^1].Hash, "disk-space", T0, ClockQuality.Synced);
        var result = await h.SendAsync(g, [statement, w.Checkpoint(T0, ClockQuality.Synced)!]);

        Assert.Equal(1, result.LinksRestored);
        Assert.DoesNotContain(result.Alerts, a => a.Kind is AlertKind.Fork or AlertKind.BrokenLink);
        var chain = await h.ChainAsync(g, Lane.Telemetry);
        Assert.Equal((statement.Seq, 0L), (chain.VerifiedThrough, chain.Missing));
    }

    [Fact]
    public async Task AStrangersGapStatementFromFarBack_CopyingTheGenuineFirstPrev_MakesNoneOfItsRecordsData_AndTheGatewayGoesOn()
    {
        using var g = new SimulatedGateway("ward7", "rest-gap-stranger", T0, policy: Manual);
        await using var h = await CreateAsync(await BackendAsync(), g);
        var sent = Send(g, 200); // 0 genesis, 1-200 obs, 201 checkpoint: verified through 200
        await h.SendAsync(g, sent);

        // Anyone on the broker: a chain of its own from the gateway's head, and a gap statement over 100-240 whose
        // first prev is the genuine hash of 99 (public: record 100 carries it), the link 101 seqs behind the head,
        // out of the window, so read from the store and found equal. Then an observation and its own checkpoint.
        using var stranger = GatewayKey.Generate();
        var w = ChainWriter.Resume(new ChainState(g.Gw, Lane.Telemetry, sent[^1].Epoch, sent[^1].Seq, sent[^1].Hash, 0, null), stranger, Manual);
        ChainRecord Obs(double value) =>
            w.AppendObs(new ObsBody(g.Patient, $"{g.Gw}-mon", "loinc:8867-4", "/min", T0, 0, [value]), T0, ClockQuality.Synced);
        var unpublished = Enumerable.Range(0, 39).Select(_ => Obs(199)).ToList();
        Assert.Equal(240L, unpublished[^1].Seq);
        var forged = new List<ChainRecord> { w.AppendGap(100, 240, sent[100].Prev, unpublished[^1].Hash, "disk-space", T0, ClockQuality.Synced), Obs(30) };
        forged.Add(w.Checkpoint(T0, ClockQuality.Synced)!);
        Assert.Equal([241L, 242, 243], forged.Select(r => r.Seq));
        var attack = await h.SendAsync(g, forged);

        // The gateway goes on: 202-206 and its checkpoint at 207.
        var next = Send(g, 5, withGenesis: false);
        await h.SendAsync(g, next);

        Assert.Equal(1, attack.LinksRestored); // the far link was read: the statement took the path that crosses from the head
        var chain = await h.ChainAsync(g, Lane.Telemetry);
        // 208-240: claimed, not crossed, and not missing either: only the stranger's records reach past 207, so
        // nothing the gateway signed says those seqs were ever made (before 2026-12-08 they counted 33 missing).
        Assert.Equal((206L, 0L, 0L), (chain.VerifiedThrough, chain.GapCovered, chain.Missing));
        var data = await h.Store.VerifiedRecordsAsync(new RecordQuery(null, g.Gw, null, null, 1000), default);
        Assert.DoesNotContain(data, r => forged.Any(f => f.Hash == r.Hash));
        Assert.Equal(sent.Concat(next).Where(r => r.Seq <= 206).Select(r => r.Hash).Order(), data.Select(r => r.Hash).Order());
    }

    /// <summary>Genesis (unless not), <paramref name="obs"/> observations and a checkpoint covering them.</summary>
    private static List<ChainRecord> Send(SimulatedGateway g, int obs, bool withGenesis = true)
    {
        var records = withGenesis ? [g.All.Single(r => r.Lane == Lane.Telemetry)] : new List<ChainRecord>();
        records.AddRange(g.ProduceObs(obs, T0));
        records.Add(g.Telemetry.Checkpoint(T0, ClockQuality.Synced)!);
        return records;
    }
}

public sealed class LinksAtRestIngestLiteDbTests : LinksAtRestIngestTests
{
    internal override Task<Func<string, IIngestStore>> BackendAsync() => Task.FromResult<Func<string, IIngestStore>>(dir => new LiteDbIngestStore(dir));
}

[Collection(PostgresCollection.Name)]
public sealed class LinksAtRestIngestPostgresTests(PostgresFixture pg) : LinksAtRestIngestTests
{
    internal override async Task<Func<string, IIngestStore>> BackendAsync()
    {
        var connection = await pg.CreateDatabaseAsync();
        return _ => new PostgresIngestStore(connection);
    }
}
