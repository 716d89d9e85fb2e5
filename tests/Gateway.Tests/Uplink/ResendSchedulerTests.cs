namespace EdgeTwin.Gateway.Tests.Uplink;

using EdgeTwin.Gateway.Uplink;
using EdgeTwin.Telemetry.Records;
using Microsoft.Extensions.Time.Testing;

public class ResendSchedulerTests
{
    private static readonly TimeSpan After = TimeSpan.FromSeconds(30);

    [Fact]
    public void Due_NothingBeforeResendAfter_ThenEverythingPublishedThatLongAgo()
    {
        var time = new FakeTimeProvider();
        var s = new ResendScheduler(time, After, 1000);
        for (var seq = 0; seq <= 9; seq++)
        {
            s.Published(Lane.Telemetry, seq);
        }

        time.Advance(TimeSpan.FromSeconds(5));
        s.Published(Lane.Telemetry, 10);
        time.Advance(TimeSpan.FromSeconds(20));
        Assert.Null(s.Due(Lane.Telemetry, lowestHeld: 0, backlogIdle: true));

        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal((0L, 9L), s.Due(Lane.Telemetry, lowestHeld: 0, backlogIdle: true));
    }

    [Fact]
    public void Due_StartsAfterTheReceipt_AndNotBelowTheLowestHeld()
    {
        var time = new FakeTimeProvider();
        var s = new ResendScheduler(time, After, 1000);
        s.Published(Lane.Telemetry, 50);
        s.Receipted(Lane.Telemetry, 20);
        time.Advance(After);

        Assert.Equal((21L, 50L), s.Due(Lane.Telemetry, lowestHeld: 3, backlogIdle: true));
    }

    [Fact]
    public void Due_OneRoundPerResendAfter_AndNoneWhileTheBacklogIsBusy()
    {
        var time = new FakeTimeProvider();
        var s = new ResendScheduler(time, After, 1000);
        s.Published(Lane.Alarm, 5);
        time.Advance(After);

        Assert.Null(s.Due(Lane.Alarm, lowestHeld: 0, backlogIdle: false));
        Assert.Equal((0L, 5L), s.Due(Lane.Alarm, lowestHeld: 0, backlogIdle: true));
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.Null(s.Due(Lane.Alarm, lowestHeld: 0, backlogIdle: true));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal((0L, 5L), s.Due(Lane.Alarm, lowestHeld: 0, backlogIdle: true));
        Assert.Null(s.Due(Lane.Telemetry, lowestHeld: 0, backlogIdle: true));
    }

    [Fact]
    public void Due_AtMostMaxRecordsARound_OldestFirst_AndNothingOnceAllIsReceipted()
    {
        var time = new FakeTimeProvider();
        var s = new ResendScheduler(time, After, 100);
        s.Published(Lane.Telemetry, 999);
        time.Advance(After);

        Assert.Equal((0L, 99L), s.Due(Lane.Telemetry, lowestHeld: 0, backlogIdle: true));
        s.Receipted(Lane.Telemetry, 999);
        time.Advance(After);
        Assert.Null(s.Due(Lane.Telemetry, lowestHeld: 0, backlogIdle: true));
        Assert.Null(s.Due(Lane.Telemetry, lowestHeld: null, backlogIdle: true));
    }

    [Fact]
    public void Admit_WithinTheBudgetPerPeriod_ThenRefused_ThenAgainNextPeriod()
    {
        var time = new FakeTimeProvider();
        var s = new ResendScheduler(time, After, 100);

        Assert.Equal((0L, 59L), s.Admit(Lane.Telemetry, 0, 59));
        Assert.Equal((60L, 99L), s.Admit(Lane.Telemetry, 60, 500));
        Assert.Null(s.Admit(Lane.Telemetry, 0, 10));
        Assert.Equal((0L, 10L), s.Admit(Lane.Alarm, 0, 10));
        time.Advance(After);
        Assert.Equal((0L, 10L), s.Admit(Lane.Telemetry, 0, 10));
    }
}
