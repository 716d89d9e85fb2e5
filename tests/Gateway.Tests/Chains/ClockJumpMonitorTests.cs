namespace EdgeTwin.Gateway.Tests.Chains;

using System.Text;
using System.Text.Json.Nodes;
using EdgeTwin.Gateway.Chains;
using EdgeTwin.Gateway.Tests.Support;
using EdgeTwin.Telemetry.Records;
using Microsoft.Extensions.Logging.Abstractions;

public sealed class ClockJumpMonitorTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "edgetwin-clock-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void SteadyClock_RecordsNothing()
    {
        using var h = new BookHarness(_dir);
        var clock = new JumpingClock();
        var monitor = new ClockJumpMonitor(clock, h.Book, new FixedClockQuality(ClockQuality.Synced), h.Metrics, NullLogger<ClockJumpMonitor>.Instance);

        for (var i = 0; i < 10; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            Assert.Null(monitor.Check());
        }

        Assert.DoesNotContain(Events(h.Commit().Records), e => e["type"]!.GetValue<string>() == "clock-jump");
    }

    [Fact]
    public void FirstNtpSyncOfABoardThatBootedIn1970_IsRecordedAsAClockJumpEvent()
    {
        using var h = new BookHarness(_dir);
        var clock = new JumpingClock(new DateTimeOffset(1970, 1, 1, 0, 1, 0, TimeSpan.Zero));
        var monitor = new ClockJumpMonitor(clock, h.Book, new FixedClockQuality(ClockQuality.Unsynced), h.Metrics, NullLogger<ClockJumpMonitor>.Instance);

        clock.Advance(TimeSpan.FromSeconds(1));
        var synced = new DateTimeOffset(2026, 11, 27, 16, 0, 0, TimeSpan.Zero);
        clock.SetWall(synced);
        var jump = monitor.Check();

        Assert.NotNull(jump);
        var e = Assert.Single(Events(h.Commit().Records), e => e["type"]!.GetValue<string>() == "clock-jump");
        Assert.Equal("1970-01-01T00:01:01.000Z", e["from"]!.GetValue<string>());
        Assert.Equal("2026-11-27T16:00:00.000Z", e["to"]!.GetValue<string>());
        Assert.Equal((long)(synced - new DateTimeOffset(1970, 1, 1, 0, 1, 1, TimeSpan.Zero)).TotalMilliseconds, e["deltaMs"]!.GetValue<long>());
        Assert.Equal("unsynced", e["clock"]!.GetValue<string>());

        // The next tick compares against the new wall time: one jump, one event.
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(monitor.Check());
    }

    [Fact]
    public void BackwardJump_IsRecordedToo_ButSlewUnderTheThresholdIsNot()
    {
        using var h = new BookHarness(_dir);
        var clock = new JumpingClock();
        var monitor = new ClockJumpMonitor(clock, h.Book, new FixedClockQuality(ClockQuality.Synced), h.Metrics, NullLogger<ClockJumpMonitor>.Instance);

        clock.Advance(TimeSpan.FromSeconds(1));
        clock.SetWall(clock.GetUtcNow() - TimeSpan.FromMilliseconds(500));
        Assert.Null(monitor.Check());

        clock.Advance(TimeSpan.FromSeconds(1));
        clock.SetWall(clock.GetUtcNow() - TimeSpan.FromMinutes(5));
        Assert.Equal(-TimeSpan.FromMinutes(5), monitor.Check());
        var e = Assert.Single(Events(h.Commit().Records), e => e["type"]!.GetValue<string>() == "clock-jump");
        Assert.Equal(-300_000, e["deltaMs"]!.GetValue<long>());
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static IEnumerable<JsonObject> Events(IEnumerable<EdgeTwin.Outbox.StoredRecord> records) =>
        records.Where(r => r.Kind == "event").Select(r => JsonNode.Parse(Encoding.UTF8.GetString(r.Payload))!["body"]!.AsObject());

    /// <summary>A wall clock that can be set apart from the monotonic one, as NTP or an operator does.</summary>
    private sealed class JumpingClock(DateTimeOffset? start = null) : TimeProvider
    {
        private DateTimeOffset _wall = start ?? new DateTimeOffset(2026, 11, 27, 15, 0, 0, TimeSpan.Zero);
        private long _ticks = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override DateTimeOffset GetUtcNow() => _wall;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by)
        {
            _wall += by;
            _ticks += by.Ticks;
        }

        public void SetWall(DateTimeOffset wall) => _wall = wall;
    }
}
