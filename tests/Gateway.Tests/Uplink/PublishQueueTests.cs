namespace EdgeTwin.Gateway.Tests.Uplink;

using EdgeTwin.Gateway.Outbox;
using EdgeTwin.Gateway.Tests.Support;
using EdgeTwin.Gateway.Uplink;
using EdgeTwin.Outbox;
using EdgeTwin.Outbox.Durability;
using EdgeTwin.Telemetry.Records;

public class PublishQueueTests
{
    [Fact]
    public void TryNext_AlarmFirst_ThenLiveAheadOfBacklog_BacklogGetsItsShare()
    {
        using var temp = new TempDirectory();
        using var store = OutboxStore.Open(temp.Path, SyncedOutboxFiles.Instance, TestStorageKey.Outbox);
        var telemetry = new TestRecords(Lane.Telemetry);
        var alarm = new TestRecords(Lane.Alarm);
        store.Commit(telemetry.Batch(40));          // backlog 0..39
        var queue = new PublishQueue(store, new PublishLedger(), backlogShare: 0.25);
        queue.SetCommittedHead(Lane.Telemetry, 39);
        queue.Reset();

        var live = telemetry.Batch(20);             // live 40..59
        var alarms = alarm.Batch(2);
        store.Commit(live);
        store.Commit(alarms);
        queue.AddLive(live.Records, 0);
        queue.AddLive(alarms.Records, 0);

        var order = new List<Outgoing>();
        while (queue.TryNext(out var next))
        {
            order.Add(next!);
        }

        Assert.Equal(62, order.Count);
        Assert.All(order.Take(2), o => Assert.Equal(Lane.Alarm, o.Record.Lane));
        var firstTwenty = order.Skip(2).Take(20).ToList();
        // While both wait, one in four sends is backlog: 15 live and 5 backlog in the first twenty.
        Assert.Equal(15, firstTwenty.Count(o => o.Live));
        Assert.Equal(5, firstTwenty.Count(o => !o.Live));
        // Everything once, nothing lost.
        Assert.Equal(Enumerable.Range(0, 60).Select(i => (long)i), order.Where(o => o.Record.Lane == Lane.Telemetry).Select(o => o.Record.Seq).Order());
        // Backlog in seq order.
        var backlog = order.Where(o => !o.Live && o.Record.Lane == Lane.Telemetry).Select(o => o.Record.Seq).ToList();
        Assert.Equal(backlog.Order(), backlog);
    }

    /// <summary>
    /// The disk filled while the uplink was connected: the store is closed until the committer
    /// reopens it. The backlog waits for it instead of being taken for read (a closed store reads as
    /// empty, and the range was dropped: its records stayed in the outbox unsent until the next
    /// connection, which on a steady link may be days away).
    /// </summary>
    [Fact]
    public void BacklogAsked_WhileTheStoreIsClosedAfterAFullDisk_WaitsAndGoesOutOnceItIsReopened()
    {
        using var temp = new TempDirectory();
        var files = new FullDiskFiles();
        using var store = OutboxStore.Open(temp.Path, files, TestStorageKey.Outbox);
        var telemetry = new TestRecords(Lane.Telemetry);
        store.Commit(telemetry.Batch(300));          // backlog 0..299: more than one page
        var queue = new PublishQueue(store, new PublishLedger(), backlogShare: 0.5);
        queue.SetCommittedHead(Lane.Telemetry, 299);
        queue.Reset();
        Assert.True(queue.TryNext(out var first));
        Assert.Equal(0, first!.Record.Seq);

        files.Full = true;
        Assert.Throws<OutboxUnavailableException>(() => store.Commit(telemetry.Batch(5)));
        Assert.True(store.IsClosed);
        var whileClosed = queue.Drain(); // what the page read before the failure held

        files.Full = false;
        Assert.True(store.TryReopen(out _));
        var after = queue.Drain();

        Assert.Equal(Enumerable.Range(1, 299).Select(i => (long)i), whileClosed.Concat(after));
        Assert.NotEmpty(after);
    }

    /// <summary>A connection made while the store is closed (the disk full) still has the whole outbox as backlog once it is reopened.</summary>
    [Fact]
    public void Reset_WhileTheStoreIsClosed_TheBacklogIsEverythingStored_ReadOnceItIsReopened()
    {
        using var temp = new TempDirectory();
        var files = new FullDiskFiles();
        using var store = OutboxStore.Open(temp.Path, files, TestStorageKey.Outbox);
        var telemetry = new TestRecords(Lane.Telemetry);
        store.Commit(telemetry.Batch(40));
        var queue = new PublishQueue(store, new PublishLedger(), backlogShare: 0.5);
        queue.SetCommittedHead(Lane.Telemetry, 39);
        files.Full = true;
        Assert.Throws<OutboxUnavailableException>(() => store.Commit(telemetry.Batch(5)));

        queue.Reset();
        Assert.False(queue.TryNext(out _));
        files.Full = false;
        Assert.True(store.TryReopen(out _));

        Assert.Equal(Enumerable.Range(0, 40).Select(i => (long)i), queue.Drain());
    }

    [Fact]
    public void AddLive_BeyondCapacity_OverflowIsReadBackFromTheStore()
    {
        using var temp = new TempDirectory();
        using var store = OutboxStore.Open(temp.Path, SyncedOutboxFiles.Instance, TestStorageKey.Outbox);
        var telemetry = new TestRecords(Lane.Telemetry);
        var queue = new PublishQueue(store, new PublishLedger(), backlogShare: 0.5, liveCapacity: 5);
        queue.Reset();
        var batch = telemetry.Batch(12);
        store.Commit(batch);
        queue.AddLive(batch.Records, 0);

        var seqs = new List<long>();
        while (queue.TryNext(out var next))
        {
            seqs.Add(next!.Record.Seq);
        }

        Assert.Equal(Enumerable.Range(0, 12).Select(i => (long)i), seqs.Order());
        Assert.True(queue.IsEmpty);
    }

    [Fact]
    public void Reset_AfterReconnect_ResendsEverythingStillStored()
    {
        using var temp = new TempDirectory();
        using var store = OutboxStore.Open(temp.Path, SyncedOutboxFiles.Instance, TestStorageKey.Outbox);
        var telemetry = new TestRecords(Lane.Telemetry);
        var queue = new PublishQueue(store, new PublishLedger(), backlogShare: 0.25);
        var batch = telemetry.Batch(600);
        store.Commit(batch);
        queue.AddLive(batch.Records, 0);
        for (var i = 0; i < 100; i++)
        {
            Assert.True(queue.TryNext(out _));
        }

        queue.Reset(); // connection dropped: the 100 in flight were never acknowledged
        var seqs = new List<long>();
        while (queue.TryNext(out var next))
        {
            Assert.False(next!.Live);
            seqs.Add(next.Record.Seq);
        }

        Assert.Equal(Enumerable.Range(0, 600).Select(i => (long)i), seqs);
    }
}
