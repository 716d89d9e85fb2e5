namespace EdgeTwin.Telemetry.Tests.Verification;

using System.Security.Cryptography;
using System.Text.Json;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Signing;
using EdgeTwin.Telemetry.Verification;
using Xunit;

/// <summary>
/// The ingest puts a chain's remembered links at rest in its store between batches
/// (<see cref="VerifierOptions.LinksAtRestInCallerStore"/>): out of memory and out of the exported state.
/// A record that needs them is refused as <c>links-at-rest</c> with nothing changed, the links come back
/// from the store and the record decides exactly as if they had never left: held here to a verifier that
/// keeps them, record by record, through the same batches and exports.
/// </summary>
public sealed class LinksAtRestTests
{
    private static readonly string Epoch = "0123456789abcdef0123456789abcdef";
    private static readonly ChainKey Chain = new("gw-1", Lane.Telemetry, Epoch);

    [Fact]
    public void EveryRecord_DecidesAsWithTheLinksInMemory_ThroughBatchesAndExports_InRandomChains()
    {
        using var key = TestKeys.Reference();
        using var stranger = TestKeys.Other();
        var (restores, rests) = (0, 0);
        for (var seed = 0; seed < 200; seed++)
        {
            var random = new Random(seed);
            var (written, delivery) = seed % 3 == 2 ? GapFree(random, key, stranger) : ReportCountsTests.Delivery(random, key, stranger);
            if (seed % 3 == 1)
            {
                // Without the strangers' gap statements: one held from a remembered seq keeps the links in memory.
                var own = written.Select(r => r.Hash).ToHashSet();
                delivery = [.. delivery.Where(r => r.Kind != "gap" || own.Contains(r.Hash))];
            }

            var pair = new Pair(written);
            foreach (var record in delivery)
            {
                var (kept, rested) = pair.Add(record.Payload);
                Assert.True((kept.Status, kept.Problem, kept.Hash) == (rested.Status, rested.Problem, rested.Hash), $"seed {seed}, seq {kept.Seq}: {kept.Status} {kept.Problem} kept, {rested.Status} {rested.Problem} at rest");
                if (random.Next(3) == 0)
                {
                    rests += pair.EndBatch(export: random.Next(4) == 0, stalled: random.Next(5) == 0) ? 1 : 0;
                }
            }

            Assert.True(pair.SameReports(), $"seed {seed}: the reports differ");
            restores += pair.Restores;
        }

        Console.WriteLine($"LinksAtRestTests: {rests} rests, {restores} restores");
        Assert.InRange(restores, 40, int.MaxValue);
    }

    /// <summary>A chain with no gap (so the links go to rest at every batch) delivered in random order, with repeats and strangers' branches.</summary>
    private static (List<ChainRecord> Written, List<ChainRecord> Delivery) GapFree(Random random, GatewayKey key, GatewayKey stranger)
    {
        var written = TestChains.Telemetry(key, random.Next(20, 300), every: random.Next(2, 40), epoch: Epoch);
        var delivery = new List<ChainRecord>(written);
        for (var b = random.Next(0, 4); b > 0; b--)
        {
            delivery.AddRange(InjectedBranchTests.Inject(written[random.Next(written.Count)], random.Next(1, 5), stranger, checkpoint: random.Next(2) == 0, sample: random.Next(100, 100_000)));
        }

        delivery.AddRange(delivery.Where(_ => random.Next(4) == 0).ToList());
        return (written, [.. delivery.OrderBy(_ => random.Next())]);
    }

    [Fact]
    public void ALateRepeat_AForgedCopy_AndAnEquivocatingCheckpoint_AfterTheLinksWentToRest_DecideAsBefore_EachAfterOneRestore()
    {
        using var key = TestKeys.Reference();
        var chain = TestChains.Telemetry(key, 40);
        var pair = new Pair(chain);
        chain.ForEach(r => pair.Add(r.Payload));
        pair.EndBatch(export: false);
        Assert.Equal((0L, chain[^1].Seq - 1), pair.Rested.LinksAtRest(Chain));

        var repeat = pair.Add(chain[12].Payload);
        Assert.Equal(1, pair.Restores);
        pair.EndBatch(export: true);
        var forged = InjectedBranchTests.Inject(chain[11], 1, key)[0];
        var fork = pair.Add(forged.Payload);
        Assert.Equal(2, pair.Restores);
        pair.EndBatch(export: true);

        // Only the checkpoint (seq 14') comes, signed by the gateway key, naming a 13' that never came:
        // the link it needs is the one before it, at rest.
        var other = InjectedBranchTests.Inject(chain[12], 1, key, checkpoint: true);
        var equivocation = pair.Add(other[1].Payload);

        Assert.Equal(3, pair.Restores);
        Assert.Equal((RecordStatus.Duplicate, RecordStatus.Duplicate), (repeat.Kept.Status, repeat.Rested.Status));
        Assert.Equal((RecordStatus.Fork, RecordStatus.Fork), (fork.Kept.Status, fork.Rested.Status));
        Assert.Equal((RecordStatus.Fork, RecordStatus.Fork), (equivocation.Kept.Status, equivocation.Rested.Status));
        var report = Assert.Single(pair.Rested.Report());
        Assert.Contains(report.Problems, p => p.Contains(VerifierProblems.Equivocation, StringComparison.Ordinal));
        Assert.True(pair.SameReports());
    }

    [Fact]
    public void AnEquivocatingCheckpointJustAboveTheLinksAtRest_IsEquivocation_AfterOneRestore()
    {
        using var key = TestKeys.Reference();
        var chain = TestChains.Telemetry(key, 40);
        var first = chain.First(r => r.Kind == "checkpoint" && r.Seq >= 12);
        var pair = new Pair(chain);
        chain.TakeWhile(r => r.Seq <= first.Seq).ToList().ForEach(r => pair.Add(r.Payload));
        pair.EndBatch(export: false);
        chain.SkipWhile(r => r.Seq <= first.Seq).ToList().ForEach(r => pair.Add(r.Payload));
        Assert.Equal((0L, first.Seq - 1), pair.Rested.LinksAtRest(Chain));

        // A second checkpoint at the first one's seq, signed by the gateway key, naming another record before
        // it: its own seq is decided in this batch (in memory), the one before it at rest.
        var other = InjectedBranchTests.Inject(chain[(int)first.Seq - 2], 1, key, checkpoint: true)[1];
        Assert.Equal(first.Seq, other.Seq);
        var equivocation = pair.Add(other.Payload);

        Assert.Equal(1, pair.Restores);
        Assert.Equal((RecordStatus.Fork, RecordStatus.Fork), (equivocation.Kept.Status, equivocation.Rested.Status));
        Assert.Contains(Assert.Single(pair.Rested.Report()).Problems, p => p.Contains(VerifierProblems.Equivocation, StringComparison.Ordinal));
        Assert.True(pair.SameReports());
    }

    [Fact]
    public void AGapStatementFromSeqsDecidedInAnEarlierBatch_IsCrossed_AfterOneRestore()
    {
        using var key = TestKeys.Reference();
        var policy = new CheckpointPolicy { MaxRecords = 4, MaxDelay = TimeSpan.FromDays(1) };
        var w = ChainWriter.StartNew("gw-1", Lane.Telemetry, key, policy, GenesisReason.FirstStart, "test", TestChains.T0, ClockQuality.Synced, out var genesis, Epoch);
        var written = new List<ChainRecord> { genesis };
        for (var i = 0; i < 40; i++)
        {
            var t = TestChains.T0.AddMilliseconds(10 * (i + 1));
            written.Add(w.AppendObs(new ObsBody("p-1", "dev-1", "loinc:8867-4", "/min", t, 0, [60 + i]), t, ClockQuality.Synced));
            if (w.CheckpointIfDue(t, ClockQuality.Synced) is { } cp)
            {
                written.Add(cp);
            }
        }

        // Published through a checkpoint (decided through the seq before it); then the gateway evicted from
        // three seqs before that to its last record (those decided were published before their deletion), and says so.
        var published = written.First(r => r.Kind == "checkpoint" && r.Seq >= 24);
        var (from, last) = (published.Seq - 3, written[^1].Seq);
        var gap = w.AppendGap(from, last, written[(int)from].Prev, written[(int)last].Hash, "disk-space", TestChains.T0.AddMinutes(1), ClockQuality.Synced);
        var after = w.Checkpoint(TestChains.T0.AddMinutes(2), ClockQuality.Synced)!;
        var pair = new Pair([.. written, gap, after]);
        written.TakeWhile(r => r.Seq <= published.Seq).ToList().ForEach(r => pair.Add(r.Payload));
        pair.EndBatch(export: true);
        Assert.Equal((0L, published.Seq - 1), pair.Rested.LinksAtRest(Chain));

        var statement = pair.Add(gap.Payload);
        pair.Add(after.Payload);

        Assert.Equal(1, pair.Restores);
        Assert.Equal((RecordStatus.New, RecordStatus.New), (statement.Kept.Status, statement.Rested.Status));
        Assert.Equal(gap.Seq, Assert.Single(pair.Rested.Report()).VerifiedThrough);
        Assert.True(pair.SameReports());
    }

    [Theory]
    [InlineData("stored", true)]
    [InlineData("another", false)] // the store's record there is not the one the statement names
    [InlineData("none", false)] // no record there any more (retention)
    public void AGapStatementFromSeqsFurtherBackThanTheWindow_IsCrossed_OnlyWithTheLinkTheStoreGives(string store, bool crossed)
    {
        using var key = TestKeys.Reference();
        var w = ChainWriter.StartNew("gw-1", Lane.Telemetry, key, new CheckpointPolicy { MaxRecords = 1_000 }, GenesisReason.FirstStart, "test", TestChains.T0, ClockQuality.Synced, out var genesis, Epoch);
        var written = new List<ChainRecord> { genesis };
        for (var i = 0; i < 200; i++)
        {
            written.Add(w.AppendObs(new ObsBody("p-1", "dev-1", "loinc:8867-4", "/min", TestChains.T0, 0, [60 + (i % 40)]), TestChains.T0, ClockQuality.Synced));
        }

        var published = w.Checkpoint(TestChains.T0, ClockQuality.Synced)!; // 201: decided through 200
        // The gateway evicted from 100 (its receipts lost) to 240, the 39 after the checkpoint never published, and says so.
        for (var i = 0; i < 39; i++)
        {
            written.Add(w.AppendObs(new ObsBody("p-1", "dev-1", "loinc:8867-4", "/min", TestChains.T0, 0, [1]), TestChains.T0, ClockQuality.Synced));
        }

        var last = written[^1];
        Assert.Equal(240L, last.Seq);
        var gap = w.AppendGap(100, last.Seq, written[100].Prev, last.Hash, "disk-space", TestChains.T0, ClockQuality.Synced);
        var after = w.Checkpoint(TestChains.T0, ClockQuality.Synced)!;

        var v = new StreamVerifier(Options(atRest: true));
        var plain = new StreamVerifier(Options(atRest: false));
        foreach (var r in written.Take(201).Append(published))
        {
            v.Add(r.Payload);
            plain.Add(r.Payload);
        }

        v.ClearDecided(Chain);
        Assert.Equal(200L, v.LinkedThrough(Chain));
        var first = v.Add(gap.Payload);
        var asked = v.LinksAtRest(Chain);
        var given = new Dictionary<long, string>();
        if (store != "none")
        {
            given[99] = store == "stored" ? Hex(written[99].Payload) : Hex(written[98].Payload);
        }

        v.RestoreLinks(Chain, given);
        var again = v.Add(gap.Payload);
        v.Add(after.Payload);
        plain.Add(gap.Payload);
        plain.Add(after.Payload);

        Assert.Equal((RecordStatus.Rejected, VerifierProblems.LinksAtRest), (first.Status, first.Problem));
        Assert.Equal((99L, 99L), asked);
        Assert.Equal(RecordStatus.New, again.Status);
        Assert.Null(v.LinksAtRest(Chain));
        Assert.Equal(crossed ? gap.Seq : 200L, Assert.Single(v.Report()).VerifiedThrough);
        Assert.Equal(200L, Assert.Single(plain.Report()).VerifiedThrough); // without a store to ask: waits, as before
        if (crossed)
        {
            // Held as crossing from the decided head: exported and imported, it still is.
            var moved = new StreamVerifier(Options(atRest: true));
            var w2 = new StreamVerifier(Options(atRest: true));
            foreach (var r in written.Take(201).Append(published))
            {
                w2.Add(r.Payload);
            }

            w2.ClearDecided(Chain);
            w2.Add(gap.Payload);
            w2.RestoreLinks(Chain, given);
            w2.Add(gap.Payload);
            moved.ImportChainEncoded(w2.ExportChainEncoded(Chain));
            moved.Add(after.Payload);
            Assert.Equal(gap.Seq, Assert.Single(moved.Report()).VerifiedThrough);
        }
    }

    [Fact]
    public void AtRest_NeitherInMemoryNorInTheExport_AndImportedTheyAreAtRestAgain_OnlyWithTheOption()
    {
        using var key = TestKeys.Reference();
        var chain = TestChains.Telemetry(key, 40);
        var pair = new Pair(chain);
        chain.ForEach(r => pair.Add(r.Payload));
        var full = pair.Rested.ExportChain(Chain).Recent.Count;
        pair.EndBatch(export: false);
        var state = pair.Rested.ExportChainEncoded(Chain);

        var again = new StreamVerifier(Options(atRest: true));
        again.ImportChainEncoded(state);
        var plain = new StreamVerifier(Options(atRest: false));
        plain.ImportChainEncoded(state);

        Assert.Equal(chain[^1].Seq, full);
        Assert.Empty(pair.Rested.ExportChain(Chain).Recent);
        Assert.Equal(pair.Rested.LinksAtRest(Chain), again.LinksAtRest(Chain));
        Assert.Equal(VerifierProblems.LinksAtRest, again.Add(chain[12].Payload).Problem);
        Assert.Null(plain.LinksAtRest(Chain));
        Assert.Equal(VerifierProblems.BehindWindow, plain.Add(chain[12].Payload).Problem);
    }

    [Fact]
    public void PartlyAtRest_ExportedAndImported_TheSeqsBelowTheLowestListedAreAtRest_NotPassedByAGap()
    {
        using var key = TestKeys.Reference();
        var chain = TestChains.Telemetry(key, 80);
        var firstBatch = chain.First(r => r.Kind == "checkpoint" && r.Seq >= 40);
        var v = new StreamVerifier(Options(atRest: true));
        chain.TakeWhile(r => r.Seq <= firstBatch.Seq).ToList().ForEach(r => v.Add(r.Payload));
        v.ClearDecided(Chain);
        Assert.True(v.Rest(Chain, v.LinkedThrough(Chain)));

        // The next batch decides more, and its confirmation stops short of the head: those stay in memory and
        // are listed; the first batch's stay at rest and are not.
        chain.SkipWhile(r => r.Seq <= firstBatch.Seq).ToList().ForEach(r => v.Add(r.Payload));
        v.ClearDecided(Chain);
        Assert.False(v.Rest(Chain, v.LinkedThrough(Chain) - 1));
        var state = v.ExportChainEncoded(Chain);
        var moved = new StreamVerifier(Options(atRest: true));
        moved.ImportChainEncoded(state);

        var late = chain[(int)firstBatch.Seq - 2]; // in the window, below the lowest link listed
        var first = moved.Add(late.Payload);
        var rest = moved.LinksAtRest(Chain);
        moved.RestoreLinks(Chain, chain.Where(r => r.Seq >= rest!.Value.From && r.Seq <= rest.Value.To).ToDictionary(r => r.Seq, r => Hex(r.Payload)));
        var again = moved.Add(late.Payload);

        Assert.Equal(firstBatch.Seq, ChainStateCodec.Decode(state).Recent[0].Key);
        Assert.Equal((RecordStatus.Rejected, VerifierProblems.LinksAtRest), (first.Status, first.Problem));
        Assert.Equal(firstBatch.Seq - 1, rest!.Value.To);
        Assert.Equal(RecordStatus.Duplicate, again.Status);
    }

    [Fact]
    public void NotPutAtRest_AboveWhatTheStoreHolds_NorWhileAHeldGapStatementStartsAfterOneOfThem_NorWithAGapPassedSeqInTheWindow()
    {
        using var key = TestKeys.Reference();
        using var stranger = TestKeys.Other();
        var chain = TestChains.Telemetry(key, 40);
        var head = chain[^1].Seq - 1;

        var v = Fed(chain);
        var aboveTheStore = v.Rest(Chain, head - 1);

        // A stranger's gap statement held ahead, from a seq right after a remembered link: its crossing would look
        // that link up. One from a seq ahead of the decided head does not hold them in memory.
        var fromInside = Fed(chain);
        Assert.Equal(RecordStatus.New, fromInside.Add(StrangersGap(chain[^1], 5, stranger).Payload).Status);
        var fromAhead = Fed(chain);
        Assert.Equal(RecordStatus.New, fromAhead.Add(StrangersGap(chain[^1], head + 2, stranger).Payload).Status);

        // The gateway's own gap statement decided: the seqs it passed have no record in any store.
        var gapped = WithGap(key, 6, 2, 5);
        var passed = Fed([.. gapped.Where(r => r.Seq is < 2 or > 5)]);

        // Exported and imported, the seqs it passed are still known as such (the mark on its last seq is not kept).
        var passedImported = Fed([.. gapped.Where(r => r.Seq is < 2 or > 5)]);
        passedImported.ImportChainEncoded(passedImported.ExportChainEncoded(Chain));

        // A statement of one seq: only its last seq, whose hash the statement gives and no stored record need carry.
        var single = WithGap(key, 4, 3, 3);
        var passedOne = Fed([.. single.Where(r => r.Seq != 3)]);

        var plain = new StreamVerifier(Options(atRest: false));
        chain.ForEach(r => plain.Add(r.Payload));

        Assert.False(aboveTheStore);
        Assert.Null(v.LinksAtRest(Chain));
        Assert.False(fromInside.Rest(Chain, head));
        Assert.True(fromAhead.Rest(Chain, head));
        Assert.Equal(gapped[^1].Seq - 1, passed.LinkedThrough(Chain));
        Assert.False(passed.Rest(Chain, gapped[^1].Seq - 1));
        Assert.False(passedImported.Rest(Chain, gapped[^1].Seq - 1));
        Assert.Equal(single[^1].Seq - 1, passedOne.LinkedThrough(Chain));
        Assert.False(passedOne.Rest(Chain, single[^1].Seq - 1));
        Assert.False(plain.Rest(Chain, head));
        Assert.True(v.Rest(Chain, head));

        static StreamVerifier Fed(List<ChainRecord> records)
        {
            var v = new StreamVerifier(Options(atRest: true));
            records.ForEach(r => v.Add(r.Payload));
            v.ClearDecided(Chain);
            return v;
        }

        static List<ChainRecord> WithGap(GatewayKey key, int obs, long from, long to)
        {
            var w = ChainWriter.StartNew("gw-1", Lane.Telemetry, key, new CheckpointPolicy { MaxRecords = 1_000 }, GenesisReason.FirstStart, "test", TestChains.T0, ClockQuality.Synced, out var genesis, Epoch);
            var records = new List<ChainRecord> { genesis };
            for (var i = 0; i < obs; i++)
            {
                records.Add(w.AppendObs(new ObsBody("p-1", "dev-1", "loinc:8867-4", "/min", TestChains.T0, 0, [60 + i]), TestChains.T0, ClockQuality.Synced));
            }

            records.Add(w.AppendGap(from, to, records[(int)from].Prev, records[(int)to].Hash, "disk-space", TestChains.T0, ClockQuality.Synced));
            records.Add(w.Checkpoint(TestChains.T0, ClockQuality.Synced)!);
            return records;
        }

        static ChainRecord StrangersGap(ChainRecord at, long from, GatewayKey stranger)
        {
            var w = ChainWriter.Resume(new ChainState("gw-1", at.Lane, at.Epoch, at.Seq, at.Hash, 0, null), stranger, new CheckpointPolicy { MaxRecords = 1_000_000 });
            w.AppendObs(new ObsBody("p-1", "dev-1", "loinc:8867-4", "/min", TestChains.T0, 0, [1]), TestChains.T0, ClockQuality.Synced);
            var filler = new string('b', 64);
            return w.AppendGap(from, w.State.Seq, filler, filler, "quota", TestChains.T0, ClockQuality.Synced);
        }
    }

    [Fact]
    public void AStoreThatNoLongerHoldsOneOfThem_OrHoldsAnotherHead_ForgetsThemAll_ARecordThereIsBehindTheWindow()
    {
        using var key = TestKeys.Reference();
        var chain = TestChains.Telemetry(key, 40);
        var head = chain[^1].Seq - 1;
        var store = chain.ToDictionary(r => r.Seq, r => Hex(r.Payload));

        var retained = Rested(chain);
        retained.RestoreLinks(Chain, store.Where(e => e.Key != 3).ToDictionary());
        var otherHead = Rested(chain);
        otherHead.RestoreLinks(Chain, store.Select(e => e.Key == head ? KeyValuePair.Create(e.Key, Hex([1])) : e).ToDictionary());

        foreach (var v in (StreamVerifier[])[retained, otherHead])
        {
            Assert.Null(v.LinksAtRest(Chain));
            var o = v.Add(chain[12].Payload);
            Assert.Equal((RecordStatus.Rejected, VerifierProblems.BehindWindow), (o.Status, o.Problem));
            Assert.False(v.TryLinkedHash(Chain, 12, out _));
        }

        static StreamVerifier Rested(List<ChainRecord> chain)
        {
            var v = new StreamVerifier(Options(atRest: true));
            chain.ForEach(r => v.Add(r.Payload));
            v.ClearDecided(Chain);
            Assert.True(v.Rest(Chain, chain[^1].Seq - 1));
            return v;
        }
    }

    private static VerifierOptions Options(bool atRest) =>
        new() { EnrolledAddresses = [TestKeys.ReferenceAddress], RecentWindow = 64, LogDecidedLinks = true, LinksAtRestInCallerStore = atRest };

    private static string Hex(byte[] payload) => Convert.ToHexStringLower(SHA256.HashData(payload));

    /// <summary>
    /// A verifier that keeps its links and one that puts them at rest after every batch, fed the same; the
    /// latter's store holds the gateway's own record at each of its seqs (what the ingest stores there once
    /// verified), hashed here.
    /// </summary>
    private sealed class Pair(List<ChainRecord> written)
    {
        private readonly Dictionary<long, string> store = written.GroupBy(r => r.Seq).ToDictionary(g => g.Key, g => Hex(g.First().Payload));
        private readonly ChainKey chain = new("gw-1", written[0].Lane, written[0].Epoch);

        public StreamVerifier Kept { get; } = new(Options(atRest: false));

        public StreamVerifier Rested { get; } = new(Options(atRest: true));

        public int Restores { get; private set; }

        public (RecordOutcome Kept, RecordOutcome Rested) Add(byte[] payload)
        {
            var kept = Kept.Add(payload);
            var rested = Rested.Add(payload);
            if (rested.Problem == VerifierProblems.LinksAtRest && rested.Chain is { } chain && Rested.LinksAtRest(chain) is { } range)
            {
                Restores++;
                Rested.RestoreLinks(chain, store.Where(e => e.Key >= range.From && e.Key <= range.To).ToDictionary());
                rested = Rested.Add(payload);
                Assert.NotEqual(VerifierProblems.LinksAtRest, rested.Problem);
            }

            return (kept, rested);
        }

        /// <summary>
        /// As the ingest at the end of a batch: the log cleared, the links at rest (everything decided is stored;
        /// <paramref name="stalled"/>: all but the decided head, as when the confirmation stopped short, so they
        /// stay in memory, and those already at rest stay there), the state exported and imported.
        /// </summary>
        public bool EndBatch(bool export, bool stalled = false)
        {
            if (!Kept.Holds(chain))
            {
                return false;
            }

            Kept.ClearDecided(chain);
            Rested.ClearDecided(chain);
            var rested = Rested.Rest(chain, Rested.LinkedThrough(chain) - (stalled ? 1 : 0));
            if (export)
            {
                Kept.ImportChainEncoded(Kept.ExportChainEncoded(chain));
                Rested.ImportChainEncoded(Rested.ExportChainEncoded(chain));
            }

            return rested;
        }

        public bool SameReports() => JsonSerializer.Serialize(Kept.Report()) == JsonSerializer.Serialize(Rested.Report());
    }
}
