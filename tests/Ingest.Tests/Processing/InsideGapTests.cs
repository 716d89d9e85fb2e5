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
/// A gateway that evicted unsent records (a full disk, its quota) states their range in a gap
/// statement, and the chain is verified past them on its word: no checkpoint vouches for any record
/// in that range. A record that turns up there afterwards (the gateway's copy published before its
/// deletion reached the disk, or anybody's forgery, since anyone may publish) is therefore kept as
/// evidence (<c>inside-gap</c>), never stored as the chain's data nor served as verified, and is no
/// fork either: whether it comes before the statement is decided, within the verifier's short memory of
/// links after, or further back than that (more than <see cref="ChainVerification.RecentWindow"/> seqs,
/// where the ingest decides from its store). Run once per storage backend.
/// Layout: 0 genesis, 1 obs, 2 checkpoint, 3..150 obs evicted, 151 gap statement (3..150), 152 and
/// 153 obs, 154 checkpoint (verified through 153).
/// </summary>
public abstract class InsideGapTests
{
    private static readonly CheckpointPolicy Manual = new() { MaxRecords = 10_000, MaxDelay = TimeSpan.FromHours(1) };

    internal abstract Task<Func<string, IIngestStore>> BackendAsync();

    [Theory]
    [InlineData(3, false)] // the first evicted seq: far behind the verifier's memory of links
    [InlineData(40, false)]
    [InlineData(140, false)] // within it
    [InlineData(3, true)] // a stranger's record: anyone can publish on the broker
    [InlineData(140, true)]
    public async Task ARecordInsideTheGap_AfterTheStatementWasDecided_IsEvidence_NotDataNorAFork(int at, bool forged)
    {
        using var g = new SimulatedGateway("ward7", $"gap-late-{at}-{(forged ? "forged" : "copy")}", T0, policy: Manual);
        await using var h = await CreateAsync(await BackendAsync(), g);
        var (sent, evicted) = Write(g);
        await h.SendAsync(g, sent);
        var before = await h.ChainAsync(g, Lane.Telemetry);
        Assert.Equal((153L, 148L, 0L), (before.VerifiedThrough, before.GapCovered, before.Missing));

        var late = forged ? Forge(g, sent.Concat(evicted).Single(r => r.Seq == at - 1)) : evicted.Single(r => r.Seq == at);
        var first = await h.SendAsync(g, [late]);
        var again = await h.SendAsync(g, [late]);

        await AssertNotDataAsync(h, g, [late], first, again);
        var chain = await h.ChainAsync(g, Lane.Telemetry);
        Assert.Equal((0L, 153L, 148L), (chain.Forks, chain.VerifiedThrough, chain.GapCovered));
    }

    [Fact]
    public async Task TheLastEvictedRecord_WhoseHashTheStatementNames_IsADuplicate_NotDataNorAFork()
    {
        using var g = new SimulatedGateway("ward7", "gap-late-last", T0, policy: Manual);
        await using var h = await CreateAsync(await BackendAsync(), g);
        var (sent, evicted) = Write(g);
        await h.SendAsync(g, sent);
        var before = await h.ChainAsync(g, Lane.Telemetry);

        // The chain links through seq 150 by the hash the statement names: the verifier remembers it as
        // the record there, so this very record again is a repeat (nothing stored, nothing kept).
        var late = evicted[^1];
        var results = new[] { await h.SendAsync(g, [late]), await h.SendAsync(g, [late]) };

        Assert.DoesNotContain(results.SelectMany(r => r.Alerts), a => a.Kind is AlertKind.Fork or AlertKind.BrokenLink);
        var chain = await h.ChainAsync(g, Lane.Telemetry);
        Assert.Equal((before.Duplicates + 2, 0L, 153L), (chain.Duplicates, chain.Forks, chain.VerifiedThrough));
        Assert.DoesNotContain(await h.Store.VerifiedRecordsAsync(new RecordQuery(null, g.Gw, null, null, 1000), default), s => s.Seq == late.Seq);
        Assert.Equal(sent.Count, await h.Store.RecordCountAsync(default));
    }

    [Fact]
    public async Task RecordsInsideTheGap_HeldBeforeTheStatementWasDecided_GoToTheEvidenceWhenItIs()
    {
        using var g = new SimulatedGateway("ward7", "gap-early", T0, policy: Manual);
        await using var h = await CreateAsync(await BackendAsync(), g);
        var (sent, evicted) = Write(g);
        // Before the statement: the genuine copy of seq 60 (published before its deletion reached the
        // disk) and a stranger's record at seq 100; both are the first record at their seq, so they are
        // held and stored until a checkpoint decides.
        var early = new List<ChainRecord> { evicted.Single(r => r.Seq == 60), Forge(g, evicted.Single(r => r.Seq == 99)) };
        var firstBatch = await h.SendAsync(g, [.. sent.Take(3), .. early]);
        var decided = await h.SendAsync(g, sent.Skip(3));

        var chain = await h.ChainAsync(g, Lane.Telemetry);
        Assert.Equal((153L, 0L, 0L), (chain.VerifiedThrough, chain.Forks, chain.Missing));
        await AssertNotDataAsync(h, g, early, firstBatch, decided);
        var data = await h.Store.VerifiedRecordsAsync(new RecordQuery(null, g.Gw, null, null, 1000), default);
        Assert.Equal(sent.Where(r => r.Seq < 154).Select(r => r.Hash), data.Select(r => r.Hash));
    }

    /// <summary>Not among the stored records (nor the verified ones), kept as inside-gap evidence, no fork alert.</summary>
    private static async Task AssertNotDataAsync(ProcessorHarness h, SimulatedGateway g, IReadOnlyList<ChainRecord> late, params BatchResult[] results)
    {
        var alerts = results.SelectMany(r => r.Alerts).ToList();
        Assert.DoesNotContain(alerts, a => a.Kind is AlertKind.Fork or AlertKind.BrokenLink);
        var stored = await h.Store.VerifiedRecordsAsync(new RecordQuery(null, g.Gw, null, null, 1000), default);
        var evidence = await h.Store.EvidenceAsync(100, default);
        foreach (var r in late)
        {
            Assert.DoesNotContain(stored, s => s.Hash == r.Hash || s.Seq == r.Seq);
            var kept = Assert.Single(evidence, e => e.Hash == r.Hash && e.Problem.StartsWith(VerifierProblems.InsideGap + ":", StringComparison.Ordinal));
            Assert.Equal(r.Seq, kept.Seq);
        }

        Assert.Equal(await h.Store.RecordCountAsync(default), stored.Count + 1); // and the checkpoint at 154
    }

    /// <summary>The layout above; returns what is sent (the evicted records left out) and the evicted records.</summary>
    private static (List<ChainRecord> Sent, List<ChainRecord> Evicted) Write(SimulatedGateway g)
    {
        var w = g.Telemetry;
        var sent = new List<ChainRecord> { g.All.Single(r => r.Lane == Lane.Telemetry), g.ProduceObs(1, T0).Single(), w.Checkpoint(T0, ClockQuality.Synced)! };
        var evicted = g.ProduceObs(148, T0);
        Assert.Equal((3L, 150L), (evicted[0].Seq, evicted[^1].Seq));
        sent.Add(w.AppendGap(evicted[0].Seq, evicted[^1].Seq, evicted[0].Prev, evicted[^1].Hash, "quota", T0, ClockQuality.Synced));
        sent.AddRange(g.ProduceObs(2, T0));
        sent.Add(w.Checkpoint(T0, ClockQuality.Synced)!);
        Assert.Equal(154L, sent[^1].Seq);
        return (sent, evicted);
    }

    /// <summary>A stranger's observation chained onto <paramref name="after"/> (its seq + 1): a value the patient never had.</summary>
    internal static ChainRecord Forge(SimulatedGateway g, ChainRecord after)
    {
        using var stranger = GatewayKey.Generate();
        var w = ChainWriter.Resume(new ChainState(g.Gw, Lane.Telemetry, after.Epoch, after.Seq, after.Hash, 0, null), stranger, Manual);
        return w.AppendObs(new ObsBody(g.Patient, $"{g.Gw}-mon", "loinc:8867-4", "/min", T0, 0, [199]), T0, ClockQuality.Synced);
    }
}

public sealed class InsideGapLiteDbTests : InsideGapTests
{
    internal override Task<Func<string, IIngestStore>> BackendAsync() => Task.FromResult<Func<string, IIngestStore>>(dir => new LiteDbIngestStore(dir));
}

[Collection(PostgresCollection.Name)]
public sealed class InsideGapPostgresTests(PostgresFixture pg) : InsideGapTests
{
    internal override async Task<Func<string, IIngestStore>> BackendAsync()
    {
        var connection = await pg.CreateDatabaseAsync();
        return _ => new PostgresIngestStore(connection);
    }
}
