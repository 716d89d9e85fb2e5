namespace EdgeTwin.Ingest.Tests.AlarmsOut;

using EdgeTwin.Ingest.Alerts;
using EdgeTwin.Ingest.Options;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Integration.Tests.Support;

/// <summary>One manager's queue against a test alarm manager on real loopback MLLP.</summary>
public sealed class AlarmManagerSenderTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static IngestOptions Options(int port, Action<AlarmsOutOptions>? tune = null)
    {
        var o = new IngestOptions { AlarmManagers = [new AlarmManagerOptions { Name = "pager", Host = "127.0.0.1", Port = port }] };
        o.AlarmsOut.RetryDelay = TimeSpan.FromMilliseconds(20);
        o.AlarmsOut.RetryMaxDelay = TimeSpan.FromMilliseconds(100);
        tune?.Invoke(o.AlarmsOut);
        return o;
    }

    [Fact]
    public async Task Run_ManagerAnswersAA_ThreeChangesArriveInOrder_AllAcked()
    {
        await using var manager = new TestAlarmManager();
        await using var h = await AlarmsOutHarness.StartAsync(Options(manager.Port));
        await h.QueueAsync(AlarmsOutHarness.Alarm(1, "raised", "medium"), AlarmsOutHarness.Alarm(3, "raised", "high"), AlarmsOutHarness.Alarm(5, "cleared", "high"));
        using var stop = new CancellationTokenSource();
        var sender = h.Sender();
        var run = sender.RunAsync(stop.Token);

        var received = await manager.WaitForAsync(3, Patience);
        await Wait.UntilAsync(() => sender.Acked == 3, Patience, "three ACKs recorded");
        await stop.CancelAsync();
        await run;

        Assert.Equal(["gw-1.0123456789ab.1", "gw-1.0123456789ab.3", "gw-1.0123456789ab.5"], received.Select(m => m.ControlId));
        Assert.Empty(await h.Acm.AcmOutstandingAsync("pager", 10, default));
        var messages = await h.Acm.AcmMessagesAsync("gw-1.0123456789ab.1", default);
        Assert.All(messages, m => Assert.Equal((AcmMessageRow.Acked, 1), (m.Status, m.Attempts)));
    }

    [Fact]
    public async Task Run_ManagerRejectsOne_RecordedRejectedAndAlerted_NotSentAgain_NextOneDelivered()
    {
        await using var manager = new TestAlarmManager { Answer = m => m.ControlId.EndsWith(".1", StringComparison.Ordinal) ? "AR" : "AA" };
        await using var h = await AlarmsOutHarness.StartAsync(Options(manager.Port));
        await h.QueueAsync(AlarmsOutHarness.Alarm(1, "raised", "medium"), AlarmsOutHarness.Alarm(2, "cleared", "medium"));
        using var stop = new CancellationTokenSource();
        var sender = h.Sender();
        var run = sender.RunAsync(stop.Token);

        await manager.WaitForAsync(2, Patience);
        await Wait.UntilAsync(() => sender.Acked == 1, Patience, "the second message acked");
        await stop.CancelAsync();
        await run;

        Assert.Equal(["gw-1.0123456789ab.1", "gw-1.0123456789ab.2"], manager.Received.Select(m => m.ControlId));
        var first = (await h.Acm.AcmMessagesAsync("gw-1.0123456789ab.1", default)).Single(m => m.ControlId == "gw-1.0123456789ab.1");
        Assert.Equal(AcmMessageRow.Rejected, first.Status);
        Assert.StartsWith("AR: test manager says AR", first.Detail, StringComparison.Ordinal);
        var alert = Assert.Single(await h.Store.AlertsAsync(0, 10, default));
        Assert.Equal((AlertKind.AlarmManagerRejected, "gw-1"), (alert.Kind, alert.Gw));
        Assert.Contains(h.Messages.GetMeasurementSnapshot(), m => m.Tags["outcome"] as string == "rejected");
    }

    [Fact]
    public async Task Run_ManagerSilent_EachSendHasADeadline_RetriedSameControlId_UnreachableAlertRaised()
    {
        await using var manager = new TestAlarmManager { Answer = _ => null };
        await using var h = await AlarmsOutHarness.StartAsync(Options(manager.Port, o =>
        {
            o.SendTimeout = TimeSpan.FromMilliseconds(150);
            o.UnreachableAfter = TimeSpan.FromMilliseconds(400);
        }));
        await h.QueueAsync(AlarmsOutHarness.Alarm(1, "raised", "high"));
        using var stop = new CancellationTokenSource();
        var run = h.Sender().RunAsync(stop.Token);

        await Wait.UntilAsync(async () => (await h.Store.AlertsAsync(0, 10, default)).Any(a => a.Kind == AlertKind.AlarmManagerUnreachable), Patience, () => "the unreachable alert");
        await manager.WaitForAsync(2, Patience); // tried again after its deadline (on a slow disk the alert may come after the first try)
        await stop.CancelAsync();
        await run;

        var copies = manager.Received.Select(m => m.ControlId).ToList();
        Assert.All(copies, c => Assert.Equal("gw-1.0123456789ab.1", c));
        var message = Assert.Single(await h.Acm.AcmOutstandingAsync("pager", 10, default));
        Assert.Equal(AcmMessageRow.Sent, message.Status);
        Assert.True(message.Attempts >= copies.Count, $"attempts {message.Attempts} < copies {copies.Count}");
        Assert.Contains("timeout", (await h.Store.AlertsAsync(0, 10, default)).Single(a => a.Kind == AlertKind.AlarmManagerUnreachable).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ManagerAnswersAE_TriedUpToTheLimit_ThenFailedAndAlerted()
    {
        await using var manager = new TestAlarmManager { Answer = _ => "AE" };
        await using var h = await AlarmsOutHarness.StartAsync(Options(manager.Port, o => o.MaxErrorAnswers = 3));
        await h.QueueAsync(AlarmsOutHarness.Alarm(1, "raised", "high"));
        using var stop = new CancellationTokenSource();
        var run = h.Sender().RunAsync(stop.Token);

        await Wait.UntilAsync(async () => (await h.Store.AlertsAsync(0, 10, default)).Any(a => a.Kind == AlertKind.AlarmManagerRejected), Patience, () => "the given-up alert");
        await stop.CancelAsync();
        await run;

        Assert.Equal(3, manager.Received.Count);
        var message = Assert.Single(await h.Acm.AcmMessagesAsync("gw-1.0123456789ab.1", default));
        Assert.Equal((AcmMessageRow.Failed, 3, 3), (message.Status, message.ErrorAnswers, message.Attempts));
    }
}
