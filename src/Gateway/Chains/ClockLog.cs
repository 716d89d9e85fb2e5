namespace EdgeTwin.Gateway.Chains;

using Microsoft.Extensions.Logging;

/// <summary>Log lines of the clock watch (event ids 1060-1069).</summary>
internal static partial class ClockLog
{
    [LoggerMessage(1070, LogLevel.Warning, "Wall clock jumped by {DeltaMs} ms (expected {Expected}, now {Now}, clock {Quality}); recorded as a clock-jump event")]
    public static partial void ClockJumped(ILogger logger, long deltaMs, string expected, string now, string quality);
}
