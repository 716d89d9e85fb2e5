namespace EdgeTwin.Gateway.Uplink;

/// <summary>
/// Exponential back-off with jitter: attempt n waits a random time in [d/2, d] where
/// d = min(max, min * 2^n), so a ward of gateways does not reconnect in lock-step after an outage.
/// </summary>
internal static class Backoff
{
    public static TimeSpan Delay(int attempt, TimeSpan min, TimeSpan max, Random random)
    {
        var factor = Math.Pow(2, Math.Min(attempt, 30));
        var ceiling = Math.Min(max.TotalMilliseconds, min.TotalMilliseconds * factor);
        var ms = (ceiling / 2) + (random.NextDouble() * ceiling / 2);
        return TimeSpan.FromMilliseconds(Math.Max(ms, 1));
    }
}
