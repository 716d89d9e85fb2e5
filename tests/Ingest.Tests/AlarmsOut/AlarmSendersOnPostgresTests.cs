namespace EdgeTwin.Ingest.Tests.AlarmsOut;

using EdgeTwin.Ingest.Options;
using EdgeTwin.Ingest.Storage.Postgres;
using EdgeTwin.Ingest.Tests.Integration;
using EdgeTwin.Ingest.Tests.Support;

/// <summary>Two workers on one PostgreSQL database, both running a sender for the same manager: the lease lets one send.</summary>
[Collection(PostgresCollection.Name)]
public sealed class AlarmSendersOnPostgresTests(PostgresFixture pg)
{
    [Fact]
    public async Task TwoWorkersSendersForOneManager_EachMessageArrivesOnce_InOrder()
    {
        await using var manager = new TestAlarmManager();
        var connection = await pg.CreateDatabaseAsync();
        var options = new IngestOptions { AlarmManagers = [new AlarmManagerOptions { Name = "pager", Host = "127.0.0.1", Port = manager.Port }] };
        options.AlarmsOut.RetryDelay = TimeSpan.FromMilliseconds(20);
        await using var h = await AlarmsOutHarness.StartAsync(options, new PostgresIngestStore(connection));
        await using var second = new PostgresIngestStore(connection);
        await second.InitializeAsync(default);
        var records = Enumerable.Range(1, 10).Select(i => AlarmsOutHarness.Alarm(i, i % 2 == 1 ? "raised" : "cleared", "medium")).ToArray();
        await h.QueueAsync(records);

        using var stop = new CancellationTokenSource();
        var a = h.Sender();
        var b = h.Sender(second);
        var runs = new[] { a.RunAsync(stop.Token), b.RunAsync(stop.Token) };
        await manager.WaitForAsync(10, TimeSpan.FromSeconds(30));
        await EdgeTwin.Integration.Tests.Support.Wait.UntilAsync(() => a.Acked + b.Acked == 10, TimeSpan.FromSeconds(30), "ten ACKs");
        await stop.CancelAsync();
        await Task.WhenAll(runs);

        Assert.Equal(Enumerable.Range(1, 10).Select(i => $"gw-1.0123456789ab.{i}"), manager.Received.Select(m => m.ControlId));
        Assert.True(a.Acked == 0 || b.Acked == 0, $"both workers sent: {a.Acked} and {b.Acked}");
        Assert.Empty(await h.Acm.AcmOutstandingAsync("pager", 10, default));
    }
}
