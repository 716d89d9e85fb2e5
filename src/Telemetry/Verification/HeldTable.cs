namespace EdgeTwin.Telemetry.Verification;

/// <summary>
/// The records a chain holds, by seq (see <see cref="HeldRecord"/>). Almost all of an ingest's held
/// records are one in-order run: plain records (no genesis key, signature, gap or second record at
/// their seq), each linking to the one before. Such a run is kept packed, a hash and a kind byte per
/// record (33 bytes instead of about 135 for an object and a dictionary entry; docs/benchmarks.md,
/// issue 13 fifth pass): a record's prev is the hash before it, the first one's is kept apart. Every
/// other record (out of order, variants, checkpoints, gaps, genesis) is a <see cref="HeldRecord"/> kept
/// apart (in a field while it is the only one, else in a dictionary). A run record is handed out as a new <see cref="HeldRecord"/> with the same values; only
/// the methods here change the table, and anything the run cannot keep as it is (a variant or a
/// different record at one of its seqs, a removal in its middle) first turns the run into records kept
/// apart, so what a seq holds is always exactly what was put there.
/// </summary>
internal sealed class HeldTable
{
    // Kinds a run record may have; a record of another kind is kept apart.
    private static readonly string[] RunKinds = ["obs", "obs-compact", "alarm", "event", "gap", "checkpoint", "genesis"];

    // The records not in the run: mostly a single one (the checkpoint the last decision stopped at),
    // kept in a field; a dictionary only from two on.
    private long loneSeq;
    private HeldRecord? lone;
    private Dictionary<long, HeldRecord>? others;

    // The run: seqs runStart .. runStart + runCount - 1, at hashes[runOffset ..]; the first one's prev is runPrev.
    private Hash32[] hashes = [];
    private byte[] kinds = [];
    private int runOffset;
    private int runCount;
    private long runStart;
    private Hash32 runPrev;

    /// <summary>Seqs held (each with one record or more).</summary>
    public int Count => runCount + OtherCount;

    /// <summary>Records kept packed, for tests.</summary>
    internal int RunCount => runCount;

    public IEnumerable<long> Keys
    {
        get
        {
            for (var i = 0; i < runCount; i++)
            {
                yield return runStart + i;
            }

            foreach (var other in Others())
            {
                yield return other.Key;
            }
        }
    }

    public HeldRecord this[long seq] => TryGetValue(seq, out var first) ? first : throw new KeyNotFoundException($"no record held at seq {seq}");

    public long MinKey() => Math.Min(runCount > 0 ? runStart : long.MaxValue, OtherCount > 0 ? Others().Min(o => o.Key) : long.MaxValue);

    public bool ContainsKey(long seq) => InRun(seq) || OtherTryGet(seq, out _);

    public bool TryGetValue(long seq, out HeldRecord first)
    {
        if (InRun(seq))
        {
            first = RunRecord((int)(seq - runStart));
            return true;
        }

        return OtherTryGet(seq, out first);
    }

    /// <summary>Every seq held and its first record, lowest seq first.</summary>
    public IEnumerable<KeyValuePair<long, HeldRecord>> Ordered()
    {
        var rest = Others().OrderBy(h => h.Key).ToList();
        var j = 0;
        for (; j < rest.Count && rest[j].Key < runStart; j++)
        {
            yield return rest[j];
        }

        for (var i = 0; i < runCount; i++)
        {
            yield return new(runStart + i, RunRecord(i));
        }

        for (; j < rest.Count; j++)
        {
            yield return rest[j];
        }
    }

    /// <summary>Holds <paramref name="record"/> (with its variants, if any) at a seq, replacing what it held.</summary>
    public void Set(long seq, HeldRecord record)
    {
        if (InRun(seq))
        {
            var i = (int)(seq - runStart);
            if (Plain(record) && KindIndex(record.Kind) == kinds[runOffset + i] && record.Hash == hashes[runOffset + i] && record.Prev == PrevAt(i))
            {
                return; // the very values the run holds there
            }

            Dissolve();
        }

        if (!OtherTryGet(seq, out _) && TryAppend(seq, record))
        {
            return;
        }

        OtherSet(seq, record);
    }

    /// <summary>Holds one more record at a seq that holds one already.</summary>
    public void AddVariant(long seq, HeldRecord variant)
    {
        if (InRun(seq))
        {
            Dissolve();
        }

        if (!OtherTryGet(seq, out var first))
        {
            throw new KeyNotFoundException($"no record held at seq {seq}");
        }

        (first.Variants ??= []).Add(variant);
    }

    public bool Remove(long seq) => Remove(seq, out _);

    public bool Remove(long seq, out HeldRecord first)
    {
        if (!InRun(seq))
        {
            return OtherRemove(seq, out first);
        }

        var i = (int)(seq - runStart);
        first = RunRecord(i);
        if (i == 0)
        {
            DropFirst();
            return true;
        }

        if (i != runCount - 1)
        {
            Dissolve();
            return OtherRemove(seq, out _);
        }

        runCount--;
        if (runCount == 0)
        {
            runOffset = 0;
        }

        return true;
    }

    /// <summary>
    /// Removes the first record of the run when it is at <paramref name="seq"/> with <paramref name="hash"/>
    /// (then the only record held there), without handing it out: what a decision does with almost every
    /// record it passes. False, and nothing changed, otherwise.
    /// </summary>
    public bool RemoveFirstOfRun(long seq, Hash32 hash)
    {
        if (runCount == 0 || seq != runStart || hashes[runOffset] != hash)
        {
            return false;
        }

        DropFirst();
        return true;
    }

    /// <summary>Gives back room records no longer held took (memory per chain).</summary>
    public void TrimExcess()
    {
        if (others is { Count: <= 1 })
        {
            (loneSeq, lone) = others.Count == 1 ? (others.First().Key, others.First().Value) : (0, null);
            others = null;
        }
        else if (others is not null && others.EnsureCapacity(0) > (2 * others.Count) + 16)
        {
            others.TrimExcess();
        }

        if (hashes.Length > runCount + (runCount / 8) + 4)
        {
            Resize(runCount);
        }
    }

    private static bool Plain(HeldRecord r) =>
        r.GenesisKey is null && r.Signer is null && r.SigProblem is null && r.Gap is null && r.Variants is null && KindIndex(r.Kind) >= 0;

    private static int KindIndex(string kind) => Array.IndexOf(RunKinds, kind);

    private void DropFirst()
    {
        // The next record's prev is the hash of the one removed.
        runPrev = hashes[runOffset];
        runOffset++;
        runStart++;
        runCount--;
        if (runCount == 0)
        {
            runOffset = 0;
        }
    }

    private bool InRun(long seq) => runCount > 0 && seq >= runStart && seq < runStart + runCount;

    private Hash32 PrevAt(int i) => i == 0 ? runPrev : hashes[runOffset + i - 1];

    private HeldRecord RunRecord(int i) => new() { Hash = hashes[runOffset + i], Prev = PrevAt(i), Kind = RunKinds[kinds[runOffset + i]] };

    /// <summary>Keeps a plain record packed where it starts the run or continues it; false when it cannot.</summary>
    private bool TryAppend(long seq, HeldRecord record)
    {
        if (!Plain(record) || (runCount > 0 && (seq != runStart + runCount || record.Prev != hashes[runOffset + runCount - 1])))
        {
            return false;
        }

        if (runCount == 0)
        {
            (runStart, runPrev, runOffset) = (seq, record.Prev, 0);
        }

        Append(record);

        // Records that arrived before their predecessor and continue the run now join it.
        while (OtherTryGet(runStart + runCount, out var next) && Plain(next) && next.Prev == hashes[runOffset + runCount - 1])
        {
            OtherRemove(runStart + runCount, out _);
            Append(next);
        }

        return true;
    }

    private void Append(HeldRecord record)
    {
        if (runOffset + runCount == hashes.Length)
        {
            Resize(Math.Max(8, runCount + (runCount / 2) + 4));
        }

        hashes[runOffset + runCount] = record.Hash;
        kinds[runOffset + runCount] = (byte)KindIndex(record.Kind);
        runCount++;
    }

    private void Resize(int capacity)
    {
        var h = capacity == 0 ? [] : new Hash32[capacity];
        var k = capacity == 0 ? [] : new byte[capacity];
        Array.Copy(hashes, runOffset, h, 0, runCount);
        Array.Copy(kinds, runOffset, k, 0, runCount);
        (hashes, kinds, runOffset) = (h, k, 0);
    }

    /// <summary>Turns the run into dictionary entries, for a change the run cannot keep.</summary>
    private void Dissolve()
    {
        for (var i = 0; i < runCount; i++)
        {
            OtherSet(runStart + i, RunRecord(i));
        }

        (runCount, runOffset) = (0, 0);
        (hashes, kinds) = ([], []);
    }

    private int OtherCount => others?.Count ?? (lone is null ? 0 : 1);

    private IEnumerable<KeyValuePair<long, HeldRecord>> Others() =>
        others is not null ? others : lone is null ? [] : [new(loneSeq, lone)];

    private bool OtherTryGet(long seq, out HeldRecord record)
    {
        if (others is not null)
        {
            return others.TryGetValue(seq, out record!);
        }

        var found = lone is not null && loneSeq == seq;
        record = found ? lone! : null!;
        return found;
    }

    private void OtherSet(long seq, HeldRecord record)
    {
        if (others is null && (lone is null || loneSeq == seq))
        {
            (loneSeq, lone) = (seq, record);
            return;
        }

        if (others is null)
        {
            others = new() { [loneSeq] = lone! };
            lone = null;
        }

        others[seq] = record;
    }

    private bool OtherRemove(long seq, out HeldRecord record)
    {
        if (others is not null)
        {
            return others.Remove(seq, out record!);
        }

        if (lone is null || loneSeq != seq)
        {
            record = null!;
            return false;
        }

        (record, lone) = (lone, null);
        return true;
    }
}
