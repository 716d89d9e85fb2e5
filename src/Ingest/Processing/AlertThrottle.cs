namespace EdgeTwin.Ingest.Processing;

/// <summary>
/// At most one alert per key and interval (<paramref name="every"/>), for alerts that anyone on the broker can cause by
/// publishing (replays, evidence over its budget): each would otherwise be a row and a log line per batch
/// for as long as someone publishes. The table of keys is bounded: when full it is scanned for keys whose
/// interval has passed at most once a second, and keys beyond share one (<paramref name="shared"/>).
/// Thread-safe: the worker's store lanes share it.
/// </summary>
internal sealed class AlertThrottle(TimeSpan every, int maxKeys, string shared)
{
    private static readonly TimeSpan PruneEvery = TimeSpan.FromSeconds(1);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, DateTimeOffset> _raised = new(StringComparer.Ordinal);
    private DateTimeOffset _prunable = DateTimeOffset.MinValue;

    /// <summary>Whether an alert about <paramref name="key"/> is due at <paramref name="now"/>: the first, then at most one per interval. Marks it raised.</summary>
    public bool Due(string key, DateTimeOffset now) => Due(key, now, out _);

    /// <summary>
    /// As <see cref="Due(string, DateTimeOffset)"/>; <paramref name="marked"/> is the key marked (the shared one
    /// when the table is full), for <see cref="Forget"/>.
    /// </summary>
    public bool Due(string key, DateTimeOffset now, out string marked)
    {
        marked = key;
        lock (_gate)
        {
            if (_raised.TryGetValue(key, out var at) && now - at < every)
            {
                return false;
            }

            if (_raised.Count >= maxKeys && !_raised.ContainsKey(key))
            {
                if (now >= _prunable)
                {
                    _prunable = now + PruneEvery;
                    foreach (var old in _raised.Where(a => now - a.Value >= every).Select(a => a.Key).ToList())
                    {
                        _raised.Remove(old);
                    }
                }

                if (_raised.Count >= maxKeys)
                {
                    // Thousands of keys alerted within the interval: the shared one speaks for the rest.
                    key = shared;
                    if (_raised.TryGetValue(key, out at) && now - at < every)
                    {
                        return false;
                    }
                }
            }

            _raised[key] = now;
            marked = key;
            return true;
        }
    }

    /// <summary>
    /// Takes back the mark <see cref="Due(string, DateTimeOffset, out string)"/> made at <paramref name="at"/>: the
    /// transaction that would have stored its alert rolled back, so the retry must raise it again. A later mark stays.
    /// </summary>
    public void Forget(string marked, DateTimeOffset at)
    {
        lock (_gate)
        {
            if (_raised.TryGetValue(marked, out var m) && m == at)
            {
                _raised.Remove(marked);
            }
        }
    }
}
