namespace EdgeTwin.Hosting;

using System.Collections.Concurrent;

/// <summary>
/// Keeps a flood of the same complaint (an attacker's forged messages, a client retrying a refused
/// login) from flooding the journal: per key, the first occurrence in a window is let through and
/// the rest are only counted; the next one let through carries how many were held back. Counters
/// and metrics still see every occurrence; only the log line is coalesced.
/// </summary>
public sealed class LogThrottle(TimeProvider time, TimeSpan window)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new();

    /// <summary>True when this occurrence should be logged; <paramref name="suppressed"/> is how many were held back since the last one logged.</summary>
    public bool ShouldLog(string key, out long suppressed)
    {
        var now = time.GetUtcNow();
        var entry = _entries.GetOrAdd(key, _ => new Entry());
        lock (entry)
        {
            if (entry.LoggedAt is { } last && now - last < window)
            {
                entry.Suppressed++;
                suppressed = 0;
                return false;
            }

            suppressed = entry.Suppressed;
            entry.Suppressed = 0;
            entry.LoggedAt = now;
            return true;
        }
    }

    private sealed class Entry
    {
        public DateTimeOffset? LoggedAt { get; set; }

        public long Suppressed { get; set; }
    }
}
