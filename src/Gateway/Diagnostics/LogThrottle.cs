namespace EdgeTwin.Gateway.Diagnostics;

/// <summary>
/// At most one log line per key and interval (the rest are counted and reported with the next line),
/// so that a flood of forged input cannot flood the journal. Metrics count every occurrence. Thread-safe.
/// </summary>
internal sealed class LogThrottle(TimeProvider time, TimeSpan interval)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (long At, long Suppressed)> _last = new(StringComparer.Ordinal);

    /// <summary>True when a line may be written now; <paramref name="suppressed"/> says how many were held back since the last one.</summary>
    public bool ShouldLog(string key, out long suppressed)
    {
        var now = time.GetTimestamp();
        lock (_gate)
        {
            if (_last.TryGetValue(key, out var last) && time.GetElapsedTime(last.At, now) < interval)
            {
                _last[key] = (last.At, last.Suppressed + 1);
                suppressed = 0;
                return false;
            }

            suppressed = _last.TryGetValue(key, out var previous) ? previous.Suppressed : 0;
            _last[key] = (now, 0);
            return true;
        }
    }
}
