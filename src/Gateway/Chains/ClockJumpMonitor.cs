namespace EdgeTwin.Gateway.Chains;

using System.Text.Json.Nodes;
using EdgeTwin.Gateway.Diagnostics;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Wire;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

/// <summary>
/// Watches the wall clock against the monotonic clock and records every jump (PROTOCOL §9): a board
/// without a battery clock boots in 1970 and leaps decades at its first NTP sync; an operator may set
/// the time by hand. Each jump becomes an <c>event</c> record <c>{"type":"clock-jump",...}</c>, a metric
/// and a log line; records made before it keep the clock quality they were made with.
/// </summary>
internal sealed class ClockJumpMonitor : BackgroundService
{
    /// <summary>How often the two clocks are compared.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>Smaller differences are NTP slewing and timer jitter, not a jump.</summary>
    public static readonly TimeSpan Threshold = TimeSpan.FromSeconds(2);

    private readonly TimeProvider _time;
    private readonly IRecordAppender _appender;
    private readonly IClockQuality _clock;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger<ClockJumpMonitor> _logger;
    private DateTimeOffset _lastWall;
    private long _lastTicks;

    public ClockJumpMonitor(TimeProvider time, IRecordAppender appender, IClockQuality clock, GatewayMetrics metrics, ILogger<ClockJumpMonitor> logger)
    {
        _time = time;
        _appender = appender;
        _clock = clock;
        _metrics = metrics;
        _logger = logger;
        _lastWall = time.GetUtcNow();
        _lastTicks = time.GetTimestamp();
    }

    /// <summary>Compares the clocks once; returns the jump (wall minus expected) when one was recorded.</summary>
    public TimeSpan? Check()
    {
        var wall = _time.GetUtcNow();
        var ticks = _time.GetTimestamp();
        var expected = _lastWall + _time.GetElapsedTime(_lastTicks, ticks);
        var jump = wall - expected;
        _lastWall = wall;
        _lastTicks = ticks;
        if (jump.Duration() < Threshold)
        {
            return null;
        }

        var quality = _clock.Current == ClockQuality.Synced ? "synced" : "unsynced";
        var deltaMs = (long)Math.Round(jump.TotalMilliseconds);
        _appender.AppendEvent("clock-jump", new JsonObject
        {
            ["from"] = Rfc3339(expected),
            ["to"] = Rfc3339(wall),
            ["deltaMs"] = deltaMs,
            ["clock"] = quality,
        });
        _metrics.ClockJump(jump > TimeSpan.Zero ? "forward" : "backward");
        ClockLog.ClockJumped(_logger, deltaMs, Rfc3339(expected), Rfc3339(wall), quality);
        return jump;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                Check();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private static string Rfc3339(DateTimeOffset at) =>
        EtpTime.Format(at);
}
