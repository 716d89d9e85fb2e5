namespace EdgeTwin.Telemetry.Verification;

using System.Buffers;

/// <summary>
/// Ring of the hashes of the last linked seqs, so a late repeat can be told from a fork without
/// keeping every hash. A seq passed by a gap statement has no hash (<c>known = false</c>).
/// <para>
/// A caller that stores the linked records (the ingest) may put the ring at rest (<see cref="Rest"/>):
/// the seqs it holds are then kept by their records in that store, not here (the hashes, 32 bytes a seq,
/// were most of the memory of a tracked chain), until <see cref="Restore"/> brings them back from it.
/// Seqs at rest are neither known nor forgotten: <see cref="TryGet"/> says false and <see cref="AtRest"/> true.
/// </para>
/// </summary>
internal sealed class RecentHashes(int capacity)
{
    // Made when first needed and given back at rest (most chains between two batches).
    private Hash32[]? hashes;

    // One bit per slot: whether it holds a hash (a bool array took eight times the room).
    private readonly ulong[] known = new ulong[(capacity + 63) / 64];

    // One bit per slot: its hash is a gap statement's last hash, which no stored record need carry.
    private ulong[]? fromGap;
    private long newest = -1;

    // Seqs up to here (and in the window) are at rest: their records in the caller's store hold their hashes.
    private long restThrough = -1;

    // Seqs up to here are forgotten: their records were no longer in the store when they were to be restored.
    private long floor = -1;

    public int Capacity => capacity;

    /// <summary>The highest seq remembered (-1: none).</summary>
    public long Newest => newest;

    /// <summary>The lowest seq the ring covers (at rest or not).</summary>
    public long Lowest => Math.Max(Math.Max(0, newest - capacity + 1), floor + 1);

    public void Put(long seq, Hash32? hash, bool fromGap = false)
    {
        var i = (int)(seq % capacity);
        hashes ??= ArrayPool<Hash32>.Shared.Rent(capacity);
        hashes[i] = hash ?? default;
        if (hash.HasValue)
        {
            known[i >> 6] |= 1UL << i;
        }
        else
        {
            known[i >> 6] &= ~(1UL << i);
        }

        if (fromGap)
        {
            (this.fromGap ??= new ulong[known.Length])[i >> 6] |= 1UL << i;
        }
        else if (this.fromGap is not null)
        {
            this.fromGap[i >> 6] &= ~(1UL << i);
        }

        newest = Math.Max(newest, seq);
    }

    /// <summary>False when the seq has left the ring (older than capacity), was forgotten, or is at rest (<see cref="AtRest"/>).</summary>
    public bool TryGet(long seq, out Hash32? hash)
    {
        hash = null;
        if (seq > newest || seq < Lowest || seq <= restThrough)
        {
            return false;
        }

        var i = (int)(seq % capacity);
        hash = (known[i >> 6] & (1UL << i)) != 0 ? hashes![i] : null;
        return true;
    }

    /// <summary>Whether the seq is in the ring, at rest: its hash is the one of the record the caller's store holds there.</summary>
    public bool AtRest(long seq) => seq <= restThrough && seq >= Lowest && seq <= newest;

    /// <summary>The seqs at rest, lowest first; null when none is.</summary>
    public (long From, long To)? RestRange => restThrough >= Lowest ? (Lowest, restThrough) : null;

    /// <summary>
    /// Puts every remembered seq at rest (its hash given back) when each of them is a record's link at or
    /// below <paramref name="storedThrough"/>, the seq through which the caller's store holds exactly the
    /// linked records; false (nothing changed) when a seq is above it, or was passed on a gap statement's
    /// word (no record carries its hash).
    /// </summary>
    public bool Rest(long storedThrough)
    {
        if (newest < 0 || newest > storedThrough)
        {
            return false;
        }

        for (var seq = Math.Max(Lowest, restThrough + 1); seq <= newest; seq++)
        {
            var i = (int)(seq % capacity);
            var bit = 1UL << i;
            if ((known[i >> 6] & bit) == 0 || (fromGap is not null && (fromGap[i >> 6] & bit) != 0))
            {
                return false;
            }
        }

        restThrough = newest;
        Release();
        return true;
    }

    /// <summary>
    /// Takes the seqs at rest back from the caller's store (seq to the hash of the record stored there).
    /// Where one has no record any more (dropped by retention), every seq at rest is forgotten: older than
    /// the ring, as far as <see cref="TryGet"/> says.
    /// </summary>
    public void Restore(IReadOnlyDictionary<long, Hash32> stored)
    {
        if (RestRange is not { } range)
        {
            restThrough = -1;
            return;
        }

        if (Enumerable.Range(0, (int)(range.To - range.From + 1)).Any(k => !stored.ContainsKey(range.From + k)))
        {
            floor = range.To;
            restThrough = -1;
            return;
        }

        hashes ??= ArrayPool<Hash32>.Shared.Rent(capacity);
        for (var seq = range.From; seq <= range.To; seq++)
        {
            var i = (int)(seq % capacity);
            hashes[i] = stored[seq];
            known[i >> 6] |= 1UL << i; // no gap marks: none was in the window when it was put at rest
        }

        restThrough = -1;
    }

    /// <summary>
    /// After an import: the seqs of the window below <paramref name="lowestGiven"/>, the lowest seq the state
    /// listed (all of it, through <paramref name="through"/>, when it listed none), are at rest, as the exporter
    /// left them. (Unlisted seqs inside the window are otherwise taken as passed by a gap statement.)
    /// </summary>
    public void RestBelowGiven(long through, long? lowestGiven)
    {
        if (through < 0 || (newest >= 0 && newest != through))
        {
            return; // not a window the ingest left (it always remembers through its linked head)
        }

        var lowest = lowestGiven ?? through + 1;
        newest = through;
        if (lowest > Lowest)
        {
            restThrough = lowest - 1;
        }

        if (restThrough >= newest)
        {
            Release();
        }
    }

    private void Release()
    {
        if (hashes is not null)
        {
            ArrayPool<Hash32>.Shared.Return(hashes);
            hashes = null;
        }
    }

    public IEnumerable<KeyValuePair<long, string?>> Export() => ExportHashes().Select(e => new KeyValuePair<long, string?>(e.Seq, e.Hash?.ToString()));

    /// <summary>The remembered seqs from the oldest, each with its hash (null: passed by a gap statement); those at rest are left out.</summary>
    public IEnumerable<(long Seq, Hash32? Hash)> ExportHashes()
    {
        for (var seq = Math.Max(Lowest, restThrough + 1); seq <= newest; seq++)
        {
            TryGet(seq, out var hash);
            yield return (seq, hash);
        }
    }
}
