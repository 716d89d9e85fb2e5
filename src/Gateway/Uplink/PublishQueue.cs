namespace EdgeTwin.Gateway.Uplink;

using EdgeTwin.Gateway.Outbox;
using EdgeTwin.Outbox;
using EdgeTwin.Telemetry.Records;

/// <summary>
/// Decides what the uplink sends next: the alarm lane first (live, then backlog), then telemetry
/// with live records ahead of the backlog, the backlog getting <c>Uplink:BacklogShare</c> of the
/// sends while both wait (so it drains without starving live, and never starves itself). The live
/// queue holds records committed since the connection came up; the backlog is every other stored
/// record, read from the outbox in pages. Re-sends (records no receipt covered in time, or that the
/// ingest asked for) queue behind a lane's backlog, in seq order. Whatever the source, a record
/// goes out only when the <see cref="PublishLedger"/> hands it out: one behind a gap statement is
/// skipped (its deletion may not have reached the disk yet). Thread-safe.
/// </summary>
internal sealed class PublishQueue
{
    private const int PageSize = 256;
    private readonly Lock _gate = new();
    private readonly Dictionary<Lane, Queue<Outgoing>> _live = new() { [Lane.Alarm] = new(), [Lane.Telemetry] = new() };
    private readonly Dictionary<Lane, Queue<Outgoing>> _page = new() { [Lane.Alarm] = new(), [Lane.Telemetry] = new() };
    private readonly Dictionary<Lane, List<(long From, long To)>> _ranges = new() { [Lane.Alarm] = [], [Lane.Telemetry] = [] };
    private readonly Dictionary<Lane, List<(long From, long To)>> _resend = new() { [Lane.Alarm] = [], [Lane.Telemetry] = [] };
    private readonly Dictionary<Lane, long> _committedHead = new() { [Lane.Alarm] = -1, [Lane.Telemetry] = -1 };
    private readonly OutboxStore _store;
    private readonly PublishLedger _ledger;
    private readonly double _backlogShare;
    private readonly int _liveCapacity;
    private double _credit;
    private TaskCompletionSource _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PublishQueue(OutboxStore store, PublishLedger ledger, double backlogShare, int liveCapacity = 20_000)
    {
        _store = store;
        _ledger = ledger;
        _backlogShare = backlogShare;
        _liveCapacity = liveCapacity;
        ledger.DropQueued = gone => DropQueued(Lane.Telemetry, gone);
    }

    public void SetCommittedHead(Lane lane, long seq)
    {
        lock (_gate)
        {
            _committedHead[lane] = Math.Max(_committedHead[lane], seq);
        }
    }

    /// <summary>A new connection: everything stored becomes backlog, the live queue starts empty.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            foreach (var lane in _live.Keys)
            {
                _live[lane].Clear();
                _page[lane].Clear();
                _ranges[lane].Clear();
                _resend[lane].Clear();
                // A closed store (the disk full) tells no lowest seq: the whole lane up to the head,
                // read once it is reopened (the first read starts at the lowest seq it holds).
                var min = _store.MinSeq(lane) ?? (_store.IsClosed ? 0L : null);
                if (min is { } lowest && lowest <= _committedHead[lane])
                {
                    _ranges[lane].Add((lowest, _committedHead[lane]));
                }
            }

            _credit = 0;
            Signal();
        }
    }

    public void AddLive(IReadOnlyList<StoredRecord> records, long committedTimestamp)
    {
        lock (_gate)
        {
            foreach (var r in records)
            {
                _committedHead[r.Lane] = Math.Max(_committedHead[r.Lane], r.Seq);
                var queue = _live[r.Lane];
                if (queue.Count < _liveCapacity)
                {
                    queue.Enqueue(new Outgoing(r, true, committedTimestamp));
                    continue;
                }

                // The live queue is full (link slower than production): read it back from the outbox later.
                var ranges = _ranges[r.Lane];
                if (ranges.Count > 0 && ranges[^1].To + 1 == r.Seq)
                {
                    ranges[^1] = (ranges[^1].From, r.Seq);
                }
                else
                {
                    ranges.Add((r.Seq, r.Seq));
                }
            }

            Signal();
        }
    }

    public bool IsEmpty
    {
        get
        {
            lock (_gate)
            {
                return _live.Values.All(q => q.Count == 0) && _page.Values.All(q => q.Count == 0) && _ranges.Values.All(r => r.Count == 0)
                    && _resend.Values.All(r => r.Count == 0);
            }
        }
    }

    public int LiveCount
    {
        get
        {
            lock (_gate)
            {
                return _live.Values.Sum(q => q.Count);
            }
        }
    }

    /// <summary>Records still waiting in the backlog ranges and pages (an upper bound: receipted records may be gone).</summary>
    public long BacklogCount
    {
        get
        {
            lock (_gate)
            {
                return _page.Values.Sum(q => q.Count) + _ranges.Values.Concat(_resend.Values).Sum(rs => rs.Sum(r => r.To - r.From + 1));
            }
        }
    }

    /// <summary>Completes when something may have been added since the last call to <see cref="TryNext"/>.</summary>
    public Task WaitAsync()
    {
        lock (_gate)
        {
            return _signal.Task;
        }
    }

    /// <summary>The next record to publish, handed out by the ledger (false: nothing waits).</summary>
    public bool TryNext(out Outgoing? next)
    {
        lock (_gate)
        {
            if (_signal.Task.IsCompleted)
            {
                _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            while (TryNextCandidate(out next))
            {
                if (_ledger.TryHandOut(next!.Record.Lane, next.Record.Seq))
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>Drops the records of <paramref name="lane"/> held in memory (live queue, backlog page) whose seq <paramref name="gone"/> names.</summary>
    public void DropQueued(Lane lane, Func<long, bool> gone)
    {
        lock (_gate)
        {
            foreach (var queues in new[] { _live, _page })
            {
                var queue = queues[lane];
                if (queue.Any(o => gone(o.Record.Seq)))
                {
                    queues[lane] = new Queue<Outgoing>(queue.Where(o => !gone(o.Record.Seq)));
                }
            }
        }
    }

    private bool TryNextCandidate(out Outgoing? next)
    {
        if (_live[Lane.Alarm].TryDequeue(out next) || TryBacklog(Lane.Alarm, out next))
        {
            return true;
        }

        var liveWaiting = _live[Lane.Telemetry].Count > 0;
        var backlogWaiting = HasBacklog(Lane.Telemetry);
        if (liveWaiting && backlogWaiting)
        {
            _credit += _backlogShare;
            if (_credit >= 1)
            {
                _credit -= 1;
                if (TryBacklog(Lane.Telemetry, out next))
                {
                    return true;
                }
            }
        }

        return _live[Lane.Telemetry].TryDequeue(out next) || TryBacklog(Lane.Telemetry, out next);
    }

    /// <summary>
    /// Publishes the records of <paramref name="lane"/> the outbox holds in [<paramref name="from"/>,
    /// <paramref name="to"/>] again, behind the lane's backlog. Ranges already waiting are merged.
    /// </summary>
    public void AddResend(Lane lane, long from, long to)
    {
        if (to < from)
        {
            return;
        }

        lock (_gate)
        {
            var ranges = _resend[lane];
            ranges.Add((from, to));
            ranges.Sort();
            for (var i = ranges.Count - 1; i > 0; i--)
            {
                if (ranges[i].From <= ranges[i - 1].To + 1)
                {
                    ranges[i - 1] = (ranges[i - 1].From, Math.Max(ranges[i - 1].To, ranges[i].To));
                    ranges.RemoveAt(i);
                }
            }

            Signal();
        }
    }

    /// <summary>Whether the lane has no backlog and no re-send waiting (so everything stored was handed out at least once).</summary>
    public bool BacklogIdle(Lane lane)
    {
        lock (_gate)
        {
            return !HasBacklog(lane);
        }
    }

    private bool HasBacklog(Lane lane) => _page[lane].Count > 0 || _ranges[lane].Count > 0 || _resend[lane].Count > 0;

    private bool TryBacklog(Lane lane, out Outgoing? next)
    {
        var page = _page[lane];
        while (page.Count == 0)
        {
            if (!ReadPage(lane, _ranges[lane], resent: false) && !ReadPage(lane, _resend[lane], resent: true))
            {
                break;
            }
        }

        return page.TryDequeue(out next);
    }

    /// <summary>
    /// Reads the next page of the first range into the lane's page; false when there was no range, or
    /// the store is closed (the disk full): the range then waits, whole, for the store to be reopened
    /// (the commit that follows wakes the pump).
    /// </summary>
    private bool ReadPage(Lane lane, List<(long From, long To)> ranges, bool resent)
    {
        if (ranges.Count == 0)
        {
            return false;
        }

        var (from, to) = ranges[0];
        if (!_store.TryRead(lane, from, to, PageSize, out var read))
        {
            return false;
        }

        if (read.Count < PageSize || read[^1].Seq >= to)
        {
            ranges.RemoveAt(0);
        }
        else
        {
            ranges[0] = (read[^1].Seq + 1, to);
        }

        foreach (var r in read)
        {
            _page[lane].Enqueue(new Outgoing(r, false, 0) { Resent = resent });
        }

        return true;
    }

    private void Signal() => _signal.TrySetResult();
}
