namespace EdgeTwin.Ingest.Resend;

using EdgeTwin.Ingest.Storage;

/// <summary>
/// Which unreadable chain states to log at a re-send look: each chain when first seen unreadable, then
/// at most once an hour while it stays so (a look comes every <c>Ingest:ResendInterval</c>, 10 s by
/// default: a line per look was thousands a day per chain). A chain repaired and broken again is told
/// at once. The alert (<c>chain-state-unreadable</c>) and the 409 on a proof stay as they were.
/// </summary>
internal sealed class UnreadableChainNotices(TimeProvider time)
{
    public static readonly TimeSpan Every = TimeSpan.FromHours(1);

    private readonly Dictionary<ChainId, DateTimeOffset> _told = [];
    private HashSet<ChainId> _seen = [];

    /// <summary>Whether to log this chain now; call for each chain found unreadable in one look, then <see cref="EndLook"/>.</summary>
    public bool ShouldTell(ChainId chain)
    {
        _seen.Add(chain);
        var now = time.GetUtcNow();
        if (_told.TryGetValue(chain, out var at) && now - at < Every)
        {
            return false;
        }

        _told[chain] = now;
        return true;
    }

    /// <summary>Forgets chains this look did not find unreadable (repaired, or gone), so a new fault is told at once.</summary>
    public void EndLook()
    {
        foreach (var chain in _told.Keys.Where(c => !_seen.Contains(c)).ToList())
        {
            _told.Remove(chain);
        }

        _seen = [];
    }
}
