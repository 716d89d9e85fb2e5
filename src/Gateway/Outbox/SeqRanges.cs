namespace EdgeTwin.Gateway.Outbox;

/// <summary>
/// A set of seqs kept as sorted, disjoint, non-adjacent ranges (adjacent ones merge), so that long
/// runs cost one entry. Not thread-safe: <see cref="PublishLedger"/> guards it.
/// </summary>
internal sealed class SeqRanges
{
    private readonly List<(long From, long To)> _ranges = [];

    public IReadOnlyList<(long From, long To)> Ranges => _ranges;

    public bool Contains(long seq)
    {
        var i = IndexAtOrBefore(seq);
        return i >= 0 && _ranges[i].To >= seq;
    }

    /// <summary>Whether every seq in [<paramref name="from"/>, <paramref name="to"/>] is in the set.</summary>
    public bool ContainsAll(long from, long to)
    {
        var i = IndexAtOrBefore(from);
        return i >= 0 && _ranges[i].To >= to;
    }

    /// <summary>Whether any seq in [<paramref name="from"/>, <paramref name="to"/>] is in the set.</summary>
    public bool Overlaps(long from, long to)
    {
        var i = IndexAtOrBefore(to);
        return i >= 0 && _ranges[i].To >= from;
    }

    public void Add(long from, long to)
    {
        if (to < from)
        {
            return;
        }

        // The ranges that touch [from - 1, to + 1] merge with it.
        var first = IndexAtOrBefore(from - 1);
        if (first < 0 || _ranges[first].To < from - 1)
        {
            first++;
        }

        var last = first;
        while (last < _ranges.Count && _ranges[last].From <= to + 1)
        {
            from = Math.Min(from, _ranges[last].From);
            to = Math.Max(to, _ranges[last].To);
            last++;
        }

        _ranges.RemoveRange(first, last - first);
        _ranges.Insert(first, (from, to));
    }

    /// <summary>Removes one seq (a range around it splits in two).</summary>
    public bool Remove(long seq)
    {
        var i = IndexAtOrBefore(seq);
        if (i < 0 || _ranges[i].To < seq)
        {
            return false;
        }

        var (from, to) = _ranges[i];
        if (from == to)
        {
            _ranges.RemoveAt(i);
        }
        else if (seq == from)
        {
            _ranges[i] = (from + 1, to);
        }
        else if (seq == to)
        {
            _ranges[i] = (from, to - 1);
        }
        else
        {
            _ranges[i] = (from, seq - 1);
            _ranges.Insert(i + 1, (seq + 1, to));
        }

        return true;
    }

    /// <summary>Forgets every seq below <paramref name="seq"/>.</summary>
    public void RemoveBelow(long seq)
    {
        var drop = 0;
        while (drop < _ranges.Count && _ranges[drop].To < seq)
        {
            drop++;
        }

        _ranges.RemoveRange(0, drop);
        if (_ranges.Count > 0 && _ranges[0].From < seq)
        {
            _ranges[0] = (seq, _ranges[0].To);
        }
    }

    /// <summary>Index of the last range starting at or before <paramref name="seq"/> (-1: none).</summary>
    private int IndexAtOrBefore(long seq)
    {
        int lo = 0, hi = _ranges.Count - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_ranges[mid].From <= seq)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }
}
