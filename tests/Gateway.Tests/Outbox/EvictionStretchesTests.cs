namespace EdgeTwin.Gateway.Tests.Outbox;

using System.Text;
using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Outbox;
using EdgeTwin.Gateway.Tests.Support;
using EdgeTwin.Outbox;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Verification;
using Standing = EdgeTwin.Gateway.Outbox.PublishLedger.Standing;

/// <summary>
/// Issue 24: the gap and checkpoint records eviction leaves behind must not pile up on a small card:
/// a new gap absorbs the unsent ones around what it drops, naming exactly the seqs they named.
/// </summary>
public class EvictionStretchesTests
{
    private const string Epoch = "0123456789abcdef0123456789abcdef";

    [Fact]
    public void AStretch_AbsorbsEarlierGapsAndCheckpoints_AndTheSeqsTheyNamed_ButStopsAtEventsAndAtSeqsNoHeldGapNames()
    {
        // 0 genesis | 1..4 gone, named by the gap at 5 | 5 gap | 6 checkpoint | 7, 8 vitals | 9 event | 10, 11 vitals | 12..13 gone (receipted) | 14 vital
        List<StoredRecord> window = [Rec(0, "genesis"), Gap(5, 1, 4), Rec(6, "checkpoint"), Vital(7), Vital(8), Rec(9, "event"), Vital(10), Vital(11), Vital(14)];

        var found = EvictionStretches.Find(window, Unsent(window), Standing.Unsent, RecordClass.Vital, absorb: true);

        Assert.Equal(3, found.Count);
        Assert.Equal((1L, "fp1", 8L, 2, 2), (found[0].From, found[0].FirstPrev, found[0].Last.Seq, found[0].DataRecords, found[0].Absorbed));
        Assert.Equal((10L, "prev10", 11L), (found[1].From, found[1].FirstPrev, found[1].Last.Seq));
        Assert.Equal((14L, 14L), (found[2].From, found[2].Last.Seq));
    }

    [Fact]
    public void WithoutAbsorbing_OrForPublishedRecords_GapsAndCheckpointsStayAndStopTheRun()
    {
        List<StoredRecord> window = [Rec(0, "genesis"), Gap(5, 1, 4), Rec(6, "checkpoint"), Vital(7), Vital(8)];

        var plain = EvictionStretches.Find(window, Unsent(window), Standing.Unsent, RecordClass.Vital, absorb: false);
        var published = EvictionStretches.Find(window, [.. window.Select(_ => Standing.Published)], Standing.Published, RecordClass.Vital, absorb: false);

        Assert.Equal((7L, 8L, 0), (Assert.Single(plain).From, plain[0].Last.Seq, plain[0].Absorbed));
        Assert.Equal((7L, 8L), (Assert.Single(published).From, published[0].Last.Seq));
    }

    [Fact]
    public void AGapNamingARecordStillHeld_OrOneAlreadyClaimed_IsNotAbsorbed()
    {
        // The gap at 6 names 3..4, but 4 is still held (its deletion waits): claimed already, so a barrier, and the gap stays.
        List<StoredRecord> window = [Rec(0, "genesis"), Vital(4), Gap(6, 3, 4), Vital(7), Vital(8)];
        Standing[] standing = [Standing.Unsent, Standing.Gone, Standing.Unsent, Standing.Unsent, Standing.Unsent];

        var found = EvictionStretches.Find(window, standing, Standing.Unsent, RecordClass.Vital, absorb: true);

        var stretch = Assert.Single(found);
        Assert.Equal((7L, 8L, 0), (stretch.From, stretch.Last.Seq, stretch.Absorbed));
    }

    [Fact]
    public void ACut_EndsOnlyWhereEverySeqPassedIsNamed_AndNeverLeavesAnAbsorbedGapNamingBeyondIt()
    {
        // 1, 2 vitals | 3..4 gone, named by the gap at 6 | 5 vital | 6 gap | 7 vital
        List<StoredRecord> window = [Vital(1, 500), Vital(2, 500), Vital(5, 500), Gap(6, 3, 4), Vital(7, 500)];
        var stretch = Assert.Single(EvictionStretches.Find(window, Unsent(window), Standing.Unsent, RecordClass.Vital, absorb: true));
        Assert.Equal((1L, 7L), (stretch.From, stretch.Last.Seq));

        // Enough after two records: 1..2 is whole.
        var two = EvictionStretches.Cut(stretch, 500);
        Assert.Equal([1L, 2L], two.Held.Select(r => r.Seq));

        // Three records' worth would end at 5, past the hole the gap at 6 names: the cut goes on to take the gap.
        var past = EvictionStretches.Cut(stretch, 1000);
        Assert.Equal([1L, 2L, 5L, 6L], past.Held.Select(r => r.Seq));
        Assert.Equal(1, past.Absorbed);
    }

    [Fact]
    public void ACut_ThatWouldHaveToDropMuchMoreDataToReachTheGapNamingAHole_StopsShortOfTheHoleInstead()
    {
        // 1 vital | 2..3 gone, named by the gap at 11 | 4..10 vitals | 11 gap
        List<StoredRecord> window = [Vital(1, 500), .. Enumerable.Range(4, 7).Select(seq => Vital(seq, 500)), Gap(11, 2, 3)];
        var stretch = Assert.Single(EvictionStretches.Find(window, Unsent(window), Standing.Unsent, RecordClass.Vital, absorb: true));
        Assert.Equal((1L, 11L), (stretch.From, stretch.Last.Seq));

        var cut = EvictionStretches.Cut(stretch, 800);

        Assert.Equal([1L], cut.Held.Select(r => r.Seq));
        Assert.Equal((1L, "prev1"), (cut.From, cut.FirstPrev));
    }

    [Fact]
    public void ALongOutageUnderQuota_LeavesABoundedNumberOfGapAndCheckpointRecords_AndTheStoreStillVerifies()
    {
        using var temp = new TempDirectory();
        using var h = new BookHarness(temp.Path, new OutboxOptions { TelemetryQuotaBytes = 64 * 1024 });
        var evictor = h.Evictor();
        var t0 = h.Time.GetUtcNow();
        var kept = new List<int>();

        for (var second = 0; second < 600; second++)
        {
            var t = t0.AddSeconds(second);
            // Vital signs only (the level at which everything evictable goes): three streams a second.
            foreach (var (code, unit, value) in new[] { ("loinc:8867-4", "/min", 72.0), ("loinc:59408-5", "%", 97.0), ("loinc:9279-1", "/min", 16.0) })
            {
                h.Book.AppendObs(new ObsBody("p-1", "dev-1", code, unit, t, 1000, [.. Enumerable.Repeat<double?>(value, 30)]), RecordClass.Vital);
            }

            h.Time.Advance(TimeSpan.FromSeconds(1));
            h.Commit(deleteBudget: 64);
            evictor.EvictIfOverQuota();
            if (second % 100 == 99)
            {
                kept.Add(h.Book.Store.Read(Lane.Telemetry, 0, long.MaxValue >> 16, 100_000).Count(r => r.Kind is "gap" or "checkpoint"));
            }
        }

        h.Book.CheckpointAll();
        h.Commit();

        // Without absorbing, a gap and a checkpoint a second stayed for good (over a thousand by now).
        Assert.True(kept[^1] <= kept[0] * 2, $"gap and checkpoint records held every 100 s: {string.Join(", ", kept)}");
        var stored = h.Book.Store.Read(Lane.Telemetry, 0, long.MaxValue >> 16, 100_000);
        var verifier = new StreamVerifier(new VerifierOptions());
        foreach (var r in stored)
        {
            verifier.Add(r.Payload);
        }

        var report = verifier.Report().Single(c => c.Chain.Lane == Lane.Telemetry);
        Assert.True(report.Sound, string.Join("; ", report.Problems));
        Assert.Equal(0, report.Missing);
        Assert.Equal(h.Book.Head(Lane.Telemetry).Seq - 1, report.VerifiedThrough);
    }

    private static Standing[] Unsent(List<StoredRecord> window) => [.. window.Select(_ => Standing.Unsent)];

    private static StoredRecord Vital(long seq, int size = 50) => Rec(seq, "obs", RecordClass.Vital, size);

    private static StoredRecord Rec(long seq, string kind, RecordClass cls = RecordClass.Keep, int size = 50) =>
        new(new ChainRecord(Lane.Telemetry, Epoch, seq, kind, $"prev{seq}", $"hash{seq}", Encoding.UTF8.GetBytes($"{{\"seq\":{seq},\"pad\":\"{new string('x', size)}\",\"body\":{{}}}}")), cls);

    private static StoredRecord Gap(long seq, long from, long to) =>
        new(new ChainRecord(Lane.Telemetry, Epoch, seq, "gap", $"prev{seq}", $"hash{seq}",
            Encoding.UTF8.GetBytes($"{{\"seq\":{seq},\"body\":{{\"from\":{from},\"to\":{to},\"firstPrev\":\"fp{from}\",\"lastHash\":\"hash{to}\",\"reason\":\"disk-space\"}}}}")), RecordClass.Keep);
}
