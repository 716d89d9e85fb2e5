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
