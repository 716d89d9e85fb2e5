namespace EdgeTwin.Gateway.Outbox;

using System.Text.Json;
using EdgeTwin.Outbox;
using EdgeTwin.Telemetry.Records;

/// <summary>
/// A contiguous range of seqs one gap statement names: the held records it drops (data, and
/// earlier unsent gap and checkpoint records it absorbs) and the seqs between them that absorbed
/// gaps had named. <see cref="From"/>/<see cref="FirstPrev"/> start the range, the last held record
/// ends it.
/// </summary>
internal sealed record EvictionStretch(long From, string FirstPrev, IReadOnlyList<StoredRecord> Held, int DataRecords)
{
    public StoredRecord Last => Held[^1];

    public long Bytes => Held.Sum(r => (long)r.Payload.Length);

    public int Absorbed => Held.Count - DataRecords;

    /// <summary>The held records as runs of consecutive seqs (what the ledger claims; the seqs between are gone already).</summary>
    public List<(long First, long Last)> Runs()
    {
        var runs = new List<(long First, long Last)>();
        foreach (var r in Held)
        {
            if (runs.Count > 0 && runs[^1].Last + 1 == r.Seq)
            {
                runs[^1] = (runs[^1].First, r.Seq);
            }
            else
            {
                runs.Add((r.Seq, r.Seq));
            }
        }

        return runs;
    }
}

/// <summary>
/// Finds what the evictor may name in one gap statement. Without absorbing, a stretch is a run of
/// consecutive seqs whose records are all evictable at the level (waveforms; or waveforms and
/// vitals), as before. Absorbing (unsent records only), a stretch may also take the gap and
/// checkpoint records between them and pass over the seqs an absorbed gap names: one new gap then
/// states what the old ones did and more, and the old ones (never sent) go. Without that, every
/// eviction run leaves a gap record and every second a checkpoint that nothing ever removes, and on a
/// small card in a long outage they fill the disk by themselves (16 beds on 6 MB: about 4 KB/s after
/// three minutes). A hole (seqs not held) is passed only when gaps absorbed in the same stretch name
/// all of it, and a gap is absorbed only when everything it names lies inside the stretch, so the new
/// statement covers exactly the old ones' seqs and the records dropped now: never a seq the cloud
/// received (a receipted or PUBACKed hole is named by no held gap, and stops the stretch).
/// </summary>
internal static class EvictionStretches
{
    /// <summary>About the size of a gap record (the statement held in place of what it names).</summary>
    private const int GapRecordBytes = 400;

    /// <summary>Stretches in <paramref name="window"/> (held records, ascending), oldest first.</summary>
    public static List<EvictionStretch> Find(IReadOnlyList<StoredRecord> window, IReadOnlyList<PublishLedger.Standing> standing, PublishLedger.Standing tier,
        RecordClass level, bool absorb)
    {
        var n = window.Count;
        var data = new bool[n];
        var candidate = new bool[n];
        var gaps = new Dictionary<int, (long From, long To, string FirstPrev)>();
        for (var i = 0; i < n; i++)
        {
            var r = window[i];
            if (standing[i] != tier)
            {
                continue;
            }

            data[i] = r.Class != RecordClass.Keep && (level == RecordClass.Vital || r.Class == RecordClass.Waveform);
            candidate[i] = data[i] || (absorb && r.Class == RecordClass.Keep && (r.Kind == RecordKinds.Checkpoint || (r.Kind == RecordKinds.Gap && TryParseGap(r, out _))));
            if (candidate[i] && r.Kind == RecordKinds.Gap && TryParseGap(r, out var gap))
            {
                gaps[i] = gap;
            }
        }

        var pieces = new Stack<(int Start, int End)>();
        for (var i = 0; i < n; i++)
        {
            if (!candidate[i])
            {
                continue;
            }

            var end = i;
            while (end + 1 < n && candidate[end + 1])
            {
                end++;
            }

            pieces.Push((i, end));
            i = end;
        }

        var found = new List<EvictionStretch>();
        while (pieces.TryPop(out var piece))
        {
            var split = Split(window, gaps, piece);
            if (split is { } parts)
            {
                foreach (var part in parts.Where(p => p.Start <= p.End))
                {
                    pieces.Push(part);
                }

                continue;
            }

            if (Build(window, data, gaps, piece) is { } stretch)
            {
                found.Add(stretch);
            }
        }

        return [.. found.OrderBy(s => s.From)];
    }

    /// <summary>
    /// A prefix of <paramref name="stretch"/> that is a stretch of its own (every hole it passes named
    /// by gaps it absorbs, no absorbed gap naming a seq beyond it) and frees about
    /// <paramref name="bytes"/>: the shortest that reaches them, unless it must go on much further to
    /// take the gap naming a hole it passes (up to as much again of data); then the longest that stays
    /// short of them, so that eviction does not drop far more than asked. That gap is absorbed later,
    /// once what lies before it has gone. When nothing short of them is a stretch, the shortest that
    /// reaches them however long (the whole stretch at most).
    /// </summary>
    public static EvictionStretch Cut(EvictionStretch stretch, long bytes)
    {
        var held = stretch.Held;
        long sum = 0, data = 0;
        long? dataAtReach = null;
        EvictionStretch? shortOf = null;
        var covered = new SeqRanges();
        for (var j = 0; j < held.Count; j++)
        {
            sum += held[j].Payload.Length;
            data += held[j].Class == RecordClass.Keep ? 0 : held[j].Payload.Length;
            if (held[j].Kind == RecordKinds.Gap && TryParseGap(held[j], out var g))
            {
                covered.Add(g.From, g.To);
            }

            var reaches = sum - GapRecordBytes >= bytes;
            dataAtReach ??= reaches ? data : null;
            if (reaches && data - dataAtReach > bytes && shortOf is not null)
            {
                break; // going on would drop far more than asked: stop short (with nothing short of it, the least that will do)
            }

            if (j == held.Count - 1)
            {
                return stretch;
            }

            if (Prefix(stretch, j, covered) is not { } prefix)
            {
                continue;
            }

            if (reaches)
            {
                return prefix;
            }

            shortOf = prefix;
        }

        return shortOf ?? stretch;
    }

    /// <summary>held[0..j] as a stretch of its own, or null when it is none (or gains nothing).</summary>
    private static EvictionStretch? Prefix(EvictionStretch stretch, int j, SeqRanges covered)
    {
        var prefix = stretch.Held.Take(j + 1).ToList();
        var start = prefix[0].Seq;
        var from = stretch.From < start && covered.ContainsAll(stretch.From, start - 1) ? stretch.From : start;
        var gains = prefix.Count >= 2 || prefix[0].Class != RecordClass.Keep;
        if (!gains || !IsWhole(prefix, covered, from))
        {
            return null;
        }

        var firstPrev = from == stretch.From ? stretch.FirstPrev : prefix[0].Prev;
        return new EvictionStretch(from, firstPrev, prefix, prefix.Count(r => r.Class != RecordClass.Keep));
    }

    /// <summary>Splits a piece at the first absorbed gap naming a seq outside it, or at the first hole its gaps do not name; null when it is whole.</summary>
    private static List<(int Start, int End)>? Split(IReadOnlyList<StoredRecord> window, Dictionary<int, (long From, long To, string FirstPrev)> gaps, (int Start, int End) piece)
    {
        var covered = Covered(gaps, piece);
        var low = LowestCovered(window, covered, piece);
        for (var k = piece.Start; k <= piece.End; k++)
        {
            if (gaps.TryGetValue(k, out var g) && (g.From < low || HoldsAny(window, g.From, g.To)))
            {
                return [(piece.Start, k - 1), (k + 1, piece.End)];
            }
        }

        for (var i = piece.Start; i < piece.End; i++)
        {
            var (a, b) = (window[i].Seq + 1, window[i + 1].Seq - 1);
            if (a <= b && !covered.ContainsAll(a, b))
            {
                return [(piece.Start, i), (i + 1, piece.End)];
            }
        }

        return null;
    }

    private static EvictionStretch? Build(IReadOnlyList<StoredRecord> window, bool[] data, Dictionary<int, (long From, long To, string FirstPrev)> gaps, (int Start, int End) piece)
    {
        var held = window.Skip(piece.Start).Take(piece.End - piece.Start + 1).ToList();
        var dataRecords = Enumerable.Range(piece.Start, held.Count).Count(i => data[i]);
        if (dataRecords == 0 && held.Count < 2)
        {
            return null; // nothing to gain: one gap record in place of one
        }

        var covered = Covered(gaps, piece);
        var from = LowestCovered(window, covered, piece);
        var firstPrev = held[0].Prev;
        if (from < held[0].Seq)
        {
            // The gap that names the first seq gives the link below it.
            var first = gaps.Where(g => g.Key >= piece.Start && g.Key <= piece.End && g.Value.From == from).Select(g => g.Value).FirstOrDefault();
            if (first.FirstPrev is null)
            {
                from = held[0].Seq;
            }
            else
            {
                firstPrev = first.FirstPrev;
            }
        }

        return new EvictionStretch(from, firstPrev, held, dataRecords);
    }

    /// <summary>The seqs the piece's gaps name.</summary>
    private static SeqRanges Covered(Dictionary<int, (long From, long To, string FirstPrev)> gaps, (int Start, int End) piece)
    {
        var covered = new SeqRanges();
        foreach (var (index, g) in gaps)
        {
            if (index >= piece.Start && index <= piece.End)
            {
                covered.Add(g.From, g.To);
            }
        }

        return covered;
    }

    /// <summary>The piece's first seq, or lower when the hole below its first record is named whole by its gaps.</summary>
    private static long LowestCovered(IReadOnlyList<StoredRecord> window, SeqRanges covered, (int Start, int End) piece)
    {
        var start = window[piece.Start].Seq;
        var below = piece.Start > 0 ? window[piece.Start - 1].Seq + 1 : start;
        if (below >= start || !covered.Contains(start - 1))
        {
            return start;
        }

        // Down to where the named seqs begin, never into a held record below.
        var from = start - 1;
        while (from - 1 >= below && covered.Contains(from - 1))
        {
            from--;
        }

        return from;
    }

    private static bool IsWhole(List<StoredRecord> prefix, SeqRanges covered, long from)
    {
        for (var i = 0; i + 1 < prefix.Count; i++)
        {
            var (a, b) = (prefix[i].Seq + 1, prefix[i + 1].Seq - 1);
            if (a <= b && !covered.ContainsAll(a, b))
            {
                return false;
            }
        }

        // No gap in the prefix names a seq outside [from, last].
        foreach (var r in prefix)
        {
            if (r.Kind == RecordKinds.Gap && TryParseGap(r, out var g) && (g.From < from || g.To > prefix[^1].Seq))
            {
                return false;
            }
        }

        return true;
    }

    private static bool HoldsAny(IReadOnlyList<StoredRecord> window, long from, long to)
    {
        int lo = 0, hi = window.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (window[mid].Seq < from)
            {
                lo = mid + 1;
            }
            else if (window[mid].Seq > to)
            {
                hi = mid - 1;
            }
            else
            {
                return true;
            }
        }

        return false;
    }

    private static bool TryParseGap(StoredRecord record, out (long From, long To, string FirstPrev) gap)
    {
        gap = default;
        try
        {
            using var doc = JsonDocument.Parse(record.Payload);
            var body = doc.RootElement.GetProperty("body");
            gap = (body.GetProperty("from").GetInt64(), body.GetProperty("to").GetInt64(), body.GetProperty("firstPrev").GetString()!);
            return gap.From <= gap.To && gap.To < record.Seq;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return false;
        }
    }
}
