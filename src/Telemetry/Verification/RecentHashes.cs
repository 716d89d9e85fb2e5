namespace EdgeTwin.Telemetry.Verification;

/// <summary>
/// Ring of the hashes of the last linked seqs, so a late repeat can be told from a fork without
/// keeping every hash. A seq passed by a gap statement has no hash (<c>known = false</c>).
/// </summary>
internal sealed class RecentHashes(int capacity)
{
    private readonly Hash32[] hashes = new Hash32[capacity];
    // One bit per slot: whether it holds a hash (a bool array took eight times the room).
    private readonly ulong[] known = new ulong[(capacity + 63) / 64];
    private long newest = -1;

    public int Capacity => capacity;

    public void Put(long seq, Hash32? hash)
    {
        var i = (int)(seq % capacity);
        hashes[i] = hash ?? default;
        if (hash.HasValue)
        {
            known[i >> 6] |= 1UL << i;
        }
        else
        {
            known[i >> 6] &= ~(1UL << i);
        }
        newest = Math.Max(newest, seq);
    }

    /// <summary>False when the seq has left the ring (older than capacity).</summary>
    public bool TryGet(long seq, out Hash32? hash)
    {
        hash = null;
        if (seq > newest || seq <= newest - capacity || seq < 0)
        {
            return false;
        }

        var i = (int)(seq % capacity);
        hash = (known[i >> 6] & (1UL << i)) != 0 ? hashes[i] : null;
        return true;
    }

    public IEnumerable<KeyValuePair<long, string?>> Export() => ExportHashes().Select(e => new KeyValuePair<long, string?>(e.Seq, e.Hash?.ToString()));

    /// <summary>The remembered seqs from the oldest, each with its hash (null: passed by a gap statement).</summary>
    public IEnumerable<(long Seq, Hash32? Hash)> ExportHashes()
    {
        for (var seq = Math.Max(0, newest - capacity + 1); seq <= newest; seq++)
        {
            TryGet(seq, out var hash);
            yield return (seq, hash);
        }
    }
}
