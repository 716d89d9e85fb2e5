namespace EdgeTwin.Gateway.Outbox;

using EdgeTwin.Outbox;
using EdgeTwin.Telemetry.Records;

/// <summary>
/// Which telemetry records have gone to the broker and which are behind a gap statement, so that a
/// record is never both: a gap says "dropped unsent", and a record it names must never be published
/// or re-sent afterwards, whether or not its deletion has reached the disk yet (under the free-space
/// floor deletions trickle over many commits). The uplink asks <see cref="TryHandOut"/> right before
/// each publish; the evictor claims runs with <c>TryEvict</c>. Both take one lock, so a record
/// handed out is never evicted as unsent and a record evicted is never handed out. A record handed
/// out stays "published" (it may be at the broker) until it leaves the outbox; with receipts off,
/// its PUBACK marks it as leaving (<see cref="Acknowledged"/>: its deletion is asked for, so it is no
/// candidate for eviction at all). The alarm lane is never evicted and is not tracked.
/// Memory: ranges (consecutive seqs merge). A claim is kept until its record's deletion is committed
/// (<see cref="Deleted"/>), the rest below the lowest seq the outbox holds (<see cref="ForgetBelow"/>);
/// copies the publish queue still holds in memory of records gone from the outbox are dropped first
/// (<see cref="DropQueued"/>), so a claim is never forgotten while a copy of its record could still
/// go out. What was handed out is kept with the outbox's heads at each commit
/// (<see cref="PublishedSince"/>) and read back at start, so a restart still knows it; only what was
/// handed out after the last commit before a crash (one commit interval) is not. Thread-safe.
/// </summary>
internal sealed class PublishLedger
{
    private readonly Lock _gate = new();
    private readonly SeqRanges _published = new();
    private readonly SeqRanges _leaving = new();
    private readonly SeqRanges _evicted = new();
    private long _withheld;
    private long _version;

    /// <summary>A ledger that knows nothing was published yet.</summary>
    public PublishLedger()
    {
    }

    /// <summary>A ledger that starts from the published ranges the outbox kept (<see cref="OutboxStore.Published"/>): what the previous run handed to the broker.</summary>
    public PublishLedger(IEnumerable<(long From, long To)> published)
    {
        foreach (var (from, to) in published)
        {
            _published.Add(from, to);
        }
    }

    /// <summary>How a record stands for eviction.</summary>
    internal enum Standing
    {
        /// <summary>Never handed to the broker: may be evicted and stated "dropped unsent".</summary>
        Unsent,

        /// <summary>Handed to the broker (in flight, or PUBACKed awaiting a receipt): the cloud may hold it.</summary>
        Published,

        /// <summary>Behind a gap statement already, or PUBACKed with receipts off (its deletion is asked for).</summary>
        Gone,
    }

    /// <summary>
    /// Drops the telemetry records the publish queue holds in memory whose seq the predicate names
    /// (set by the uplink's queue). Called outside the ledger's lock: the queue calls
    /// <see cref="TryHandOut"/> under its own.
    /// </summary>
    public Action<Func<long, bool>>? DropQueued { get; set; }

    /// <summary>Publishes refused because the record is behind a gap statement.</summary>
    public long Withheld => Interlocked.Read(ref _withheld);

    /// <summary>
    /// The uplink is about to publish (or re-send) <paramref name="seq"/>: false when a gap statement
    /// names it (it must not go out); otherwise it counts as published from now on.
    /// </summary>
    public bool TryHandOut(Lane lane, long seq)
    {
        if (lane != Lane.Telemetry)
        {
            return true;
        }

        lock (_gate)
        {
            if (_evicted.Contains(seq))
            {
                _withheld++;
                return false;
            }

            if (!_published.Contains(seq))
            {
                _published.Add(seq, seq);
                _version++;
            }

            return true;
        }
    }

    /// <summary>The broker acknowledged <paramref name="seq"/> and, with receipts off, its deletion is asked for.</summary>
    public void Acknowledged(Lane lane, long seq)
    {
        if (lane != Lane.Telemetry)
        {
            return;
        }

        lock (_gate)
        {
            _leaving.Add(seq, seq);
        }
    }

    /// <summary>Whether a gap statement names <paramref name="seq"/>.</summary>
    public bool IsEvicted(Lane lane, long seq)
    {
        if (lane != Lane.Telemetry)
        {
            return false;
        }

        lock (_gate)
        {
            return _evicted.Contains(seq);
        }
    }

    /// <summary>Whether <paramref name="seq"/> has been handed to the broker (tests, status).</summary>
    public bool IsPublished(Lane lane, long seq)
    {
        lock (_gate)
        {
            return lane == Lane.Telemetry && _published.Contains(seq);
        }
    }

    /// <summary>How each of <paramref name="records"/> stands now (one look under the lock).</summary>
    public Standing[] Classify(IReadOnlyList<StoredRecord> records)
    {
        var result = new Standing[records.Count];
        lock (_gate)
        {
            for (var i = 0; i < records.Count; i++)
            {
                var seq = records[i].Seq;
                result[i] = _evicted.Contains(seq) || _leaving.Contains(seq) ? Standing.Gone
                    : _published.Contains(seq) ? Standing.Published
                    : Standing.Unsent;
            }
        }

        return result;
    }

    /// <summary>
    /// Claims [<paramref name="first"/>, <paramref name="last"/>] for a gap statement. With
    /// <paramref name="published"/> false the run must still be wholly unsent (false, nothing
    /// claimed, if the uplink handed any of it out meanwhile); with true it was published and is
    /// stated so. Either way no seq of it may be claimed already or be leaving. Once claimed, the
    /// uplink never hands it out again.
    /// </summary>
    public bool TryEvict(long first, long last, bool published) => TryEvict([(first, last)], published);

    /// <summary>The same for the held records of a stretch (<paramref name="runs"/>: consecutive seqs; what lies between them is gone already).</summary>
    public bool TryEvict(IReadOnlyList<(long First, long Last)> runs, bool published)
    {
        lock (_gate)
        {
            foreach (var (first, last) in runs)
            {
                if (_evicted.Overlaps(first, last) || _leaving.Overlaps(first, last) || (!published && _published.Overlaps(first, last)))
                {
                    return false;
                }
            }

            foreach (var (first, last) in runs)
            {
                _evicted.Add(first, last);
            }

            return true;
        }
    }

    /// <summary>
    /// A commit deleted these records (their deletion is on disk): claims on them are no longer
    /// needed once any copy in the publish queue is dropped. Called by the group committer.
    /// </summary>
    public void Deleted(IEnumerable<RecordDeletion> deletions)
    {
        List<long>? gone = null;
        lock (_gate)
        {
            foreach (var d in deletions)
            {
                if (d.Lane == Lane.Telemetry && _evicted.Contains(d.Seq))
                {
                    (gone ??= []).Add(d.Seq);
                }
            }
        }

        if (gone is null)
        {
            return;
        }

        var set = gone.ToHashSet();
        DropQueued?.Invoke(set.Contains);
        lock (_gate)
        {
            foreach (var seq in gone)
            {
                _evicted.Remove(seq);
                _version += _published.Remove(seq) ? 1 : 0;
                _leaving.Remove(seq);
            }
        }
    }

    /// <summary>Forgets everything below <paramref name="seq"/>, the lowest seq the outbox still holds (copies in the publish queue are dropped first).</summary>
    public void ForgetBelow(long seq)
    {
        lock (_gate)
        {
            if (!HoldsBelow(_published, seq) && !HoldsBelow(_leaving, seq) && !HoldsBelow(_evicted, seq))
            {
                return;
            }
        }

        DropQueued?.Invoke(s => s < seq);
        lock (_gate)
        {
            _version += HoldsBelow(_published, seq) ? 1 : 0;
            _published.RemoveBelow(seq);
            _leaving.RemoveBelow(seq);
            _evicted.RemoveBelow(seq);
        }
    }

    /// <summary>
    /// The published ranges, when they changed since <paramref name="version"/> (null: unchanged):
    /// the group committer keeps them with the lane's head (<see cref="OutboxBatch.Published"/>), so a
    /// restart knows what the cloud may hold.
    /// </summary>
    public (long Version, IReadOnlyList<(long From, long To)> Ranges)? PublishedSince(long version)
    {
        lock (_gate)
        {
            return _version == version ? null : (_version, [.. _published.Ranges]);
        }
    }

    private static bool HoldsBelow(SeqRanges ranges, long seq) => ranges.Ranges.Count > 0 && ranges.Ranges[0].From < seq;
}
