namespace EdgeTwin.Gateway.Tests.Outbox;

using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Outbox;
using EdgeTwin.Gateway.Tests.Support;
using EdgeTwin.Gateway.Uplink;
using EdgeTwin.Outbox;
using EdgeTwin.Telemetry.Records;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

/// <summary>
/// Issue 24: a gap says "dropped unsent", so a record it names is never published or re-sent, even
/// while its deletion still waits (under the floor deletions trickle), and the evictor names
/// published records only when unsent ones cannot make the room, and then says so.
/// </summary>
public class GapTruthTests
{
    private const long Floor = 3_000_000;
    private static readonly long EndOfLane = long.MaxValue >> 16;

    [Fact]
    public void RecordsNamedByADiskSpaceGap_AreNeverPublished_FromTheBacklogTheLiveQueueOrAReSend_ThoughTheirDeletionHasNotReachedTheDisk()
    {
        using var temp = new TempDirectory();
        using var h = Ward(temp, out var space, out var evictor);
        var queue = Queue(h);
        var held = h.Book.Store.Read(Lane.Telemetry, 0, EndOfLane, 1000);
        queue.AddLive(held, 0); // as if committed while connected: in memory, ahead of everything

        UnderTheFloor(h, space, evictor);
        var named = GapsPending(h).SelectMany(g => Seqs(g.From, g.To)).ToHashSet();
        Assert.NotEmpty(named);
        Assert.All(named, seq => Assert.Single(h.Book.Store.Read(Lane.Telemetry, seq, seq, 1))); // still on disk: nothing committed yet

        var live = queue.Drain();
        queue.Reset(); // a new connection: everything stored is backlog
        var backlog = queue.Drain();
        queue.AddResend(Lane.Telemetry, 0, EndOfLane);
        var resent = queue.Drain();

        Assert.NotEmpty(live);
        Assert.NotEmpty(backlog);
        Assert.NotEmpty(resent);
        Assert.DoesNotContain(live.Concat(backlog).Concat(resent), named.Contains);

        // Once the deletions are on disk the claims are forgotten, and in-memory copies go with them.
        queue.AddLive(held, 0);
        h.Commit();
        Assert.All(named, seq => Assert.False(h.Ledger.IsEvicted(Lane.Telemetry, seq)));
        var after = queue.Drain();
        Assert.NotEmpty(after);
        Assert.DoesNotContain(after, named.Contains);
        Assert.Equal(named.Count * 3, h.Ledger.Withheld);
    }

    [Fact]
    public void UnderTheFloor_TheEvictorNamesUnsentRecordsOnly_WhilePublishedOnesAwaitTheirReceipt()
    {
        using var temp = new TempDirectory();
        using var h = Ward(temp, out var space, out var evictor);
        var queue = Queue(h, connected: true);

        // The oldest 60 records went to the broker (receipts on: held until a receipt covers them).
        var published = queue.Drain(60);

        // Short by a twentieth (and a tenth more, the evictor's margin): the unsent half can make that room.
        UnderTheFloor(h, space, evictor, shortOneIn: 20);
        var gaps = GapsPending(h);
        Assert.NotEmpty(gaps);
        Assert.All(gaps, g => Assert.Equal("disk-space", g.Reason));
        Assert.DoesNotContain(gaps.SelectMany(g => Seqs(g.From, g.To)), published.Contains);
        Assert.True(gaps.Min(g => g.From) > published.Max(), "the oldest unsent records go first");
    }

    [Fact]
    public void WhenOnlyPublishedRecordsCanMakeTheRoom_TheirGapSaysUnreceipted_AndTheyAreNeverSentAgain()
    {
        using var temp = new TempDirectory();
        using var h = Ward(temp, out var space, out var evictor);
        var queue = Queue(h, connected: true);
        var published = queue.Drain().ToHashSet(); // everything went to the broker, no receipt yet

        UnderTheFloor(h, space, evictor);
        var gaps = GapsPending(h);
        Assert.NotEmpty(gaps);
        Assert.All(gaps, g => Assert.Equal("disk-space-unreceipted", g.Reason));
        var named = gaps.SelectMany(g => Seqs(g.From, g.To)).ToList();
        Assert.All(named, seq => Assert.Contains(seq, published));

        // The re-send timer or an ingest's request finds them still on disk: they stay behind their gap.
        queue.AddResend(Lane.Telemetry, 0, EndOfLane);
        var resent = queue.Drain();
        Assert.NotEmpty(resent);
        Assert.DoesNotContain(resent, named.Contains);
    }

    [Fact]
    public async Task WhatWasPublished_IsKeptWithTheHeads_SoAfterARestartThoseRecordsAreStillNotNamedAsUnsent()
    {
        using var temp = new TempDirectory();
        List<long> published;
        using (var h = Ward(temp, out _, out _))
        {
            // Receipts on: the oldest 60 records went to the broker, no receipt yet; the next commit keeps that.
            published = Queue(h, connected: true).Drain(60);
            var committer = new GroupCommitter(h.Book, [], h.Evictor(), h.Retention, h.Ledger, new StorageHealth(), Options.Create(h.Outbox), h.Time, h.Metrics,
                new WatchedLifetime(), NullLogger<GroupCommitter>.Instance, new FixedFreeSpace(1L << 40));
            await committer.CommitNowAsync(CancellationToken.None);
        }

        using var again = new BookHarness(temp.Path, new OutboxOptions { MinFreeBytes = Floor, MinFreePercent = 50 });
        Assert.All(published, seq => Assert.True(again.Ledger.IsPublished(Lane.Telemetry, seq)));
        var space = new FixedFreeSpace(10_000_000);
        UnderTheFloor(again, space, again.Evictor(space), shortOneIn: 20);
        var gaps = GapsPending(again);
        Assert.NotEmpty(gaps);
        Assert.All(gaps, g => Assert.Equal("disk-space", g.Reason));
        Assert.DoesNotContain(gaps.SelectMany(g => Seqs(g.From, g.To)), published.Contains);
    }

    [Fact]
    public void RecordsPubackedWithReceiptsOff_AreLeavingAndNeverNamed()
    {
        using var temp = new TempDirectory();
        using var h = Ward(temp, out var space, out var evictor);
        var queue = Queue(h, connected: true);
        var acknowledged = queue.Drain(60, r =>
        {
            h.Ledger.Acknowledged(Lane.Telemetry, r.Seq);
            h.Retention.Delete(Lane.Telemetry, r.Seq, r.Payload.Length);
        });

        UnderTheFloor(h, space, evictor);
        var gaps = GapsPending(h);
        Assert.NotEmpty(gaps);
        Assert.DoesNotContain(gaps.SelectMany(g => Seqs(g.From, g.To)), acknowledged.Contains);
    }

    [Fact]
    public void Ledger_ARunHandedOutAfterTheEvictorLooked_IsNotClaimedAsUnsent_AndAClaimedRecordIsNotHandedOut()
    {
        var ledger = new PublishLedger();
        Assert.True(ledger.TryHandOut(Lane.Telemetry, 12));
        Assert.False(ledger.TryEvict(10, 14, published: false));
        Assert.True(ledger.TryEvict(15, 20, published: false));
        Assert.False(ledger.TryEvict(20, 22, published: false)); // never two gaps for one seq
        Assert.False(ledger.TryHandOut(Lane.Telemetry, 17));
        Assert.True(ledger.TryEvict(10, 14, published: true));
        Assert.False(ledger.TryHandOut(Lane.Telemetry, 12));
        Assert.True(ledger.TryHandOut(Lane.Alarm, 17)); // the alarm lane is never evicted
        Assert.Equal(2, ledger.Withheld);
    }

    [Fact]
    public void SeqRanges_MergeAdjacentRuns_AnswerContainsAndOverlaps_AndForgetBelow()
    {
        var set = new SeqRanges();
        set.Add(5, 7);
        set.Add(10, 12);
        set.Add(8, 9);
        Assert.Equal([(5L, 12L)], set.Ranges);
        set.Add(20, 20);
        set.Add(1, 2);
        Assert.Equal([(1L, 2L), (5L, 12L), (20L, 20L)], set.Ranges);
        Assert.True(set.Contains(5));
        Assert.False(set.Contains(3));
        Assert.True(set.Overlaps(13, 25));
        Assert.False(set.Overlaps(13, 19));
        set.Add(0, 30);
        Assert.Equal([(0L, 30L)], set.Ranges);
        set.RemoveBelow(11);
        Assert.Equal([(11L, 30L)], set.Ranges);
        set.RemoveBelow(40);
        Assert.Empty(set.Ranges);
    }

    private static BookHarness Ward(TempDirectory temp, out FixedFreeSpace space, out Evictor evictor)
    {
        var h = new BookHarness(temp.Path, new OutboxOptions { MinFreeBytes = Floor, MinFreePercent = 50 });
        space = new FixedFreeSpace(10_000_000);
        evictor = h.Evictor(space);
        var t0 = h.Time.GetUtcNow();
        for (var second = 0; second < 40; second++)
        {
            var t = t0.AddSeconds(second);
            h.Book.AppendObs(new ObsBody("p-1", "dev-1", "mdc:131330", "mV", t, 4, [.. Enumerable.Repeat<double?>(0.5, 250)]), RecordClass.Waveform);
            h.Book.AppendObs(new ObsBody("p-1", "dev-1", "loinc:8867-4", "/min", t, 0, [72]), RecordClass.Vital);
            h.Time.Advance(TimeSpan.FromSeconds(1));
        }

        h.Commit();
        return h;
    }

    /// <summary>The uplink's queue over the harness's outbox; <paramref name="connected"/>: a connection came up (everything stored is backlog).</summary>
    private static PublishQueue Queue(BookHarness h, bool connected = false)
    {
        var queue = new PublishQueue(h.Book.Store, h.Ledger, backlogShare: 0.25);
        queue.SetCommittedHead(Lane.Telemetry, h.Book.Head(Lane.Telemetry).Seq);
        if (connected)
        {
            queue.Reset();
        }

        return queue;
    }

    /// <summary>A share of what is held short of the floor: the evictor appends gaps and asks for deletions, none committed yet.</summary>
    private static void UnderTheFloor(BookHarness h, FixedFreeSpace space, Evictor evictor, int shortOneIn = 3)
    {
        space.Available = Floor - (h.Book.Store.Usage(Lane.Telemetry).Bytes / shortOneIn);
        evictor.EvictIfOverQuota();
    }

    /// <summary>The gap records appended since the last commit (taken from the book, put back for the next commit).</summary>
    private static List<(long From, long To, string Reason)> GapsPending(BookHarness h)
    {
        var batch = h.Book.TakeBatch(out _);
        h.Book.Requeue(batch);
        return [.. batch.Records.Where(r => r.Kind == "gap").Select(r => Records.Json(r).GetProperty("body"))
            .Select(b => (b.GetProperty("from").GetInt64(), b.GetProperty("to").GetInt64(), b.GetProperty("reason").GetString()!))];
    }

    private static IEnumerable<long> Seqs(long from, long to)
    {
        for (var s = from; s <= to; s++)
        {
            yield return s;
        }
    }
}
