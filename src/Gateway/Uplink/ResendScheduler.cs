namespace EdgeTwin.Gateway.Uplink;

using EdgeTwin.Telemetry.Records;

/// <summary>
/// Decides what is published again (issue 21). Timer: once a lane's backlog is idle, records that no
/// receipt covers and that were published at least <c>resendAfter</c> ago are re-sent, one round per
/// <c>resendAfter</c> per lane, at most <c>maxRecords</c> a round, oldest first. Requests: a verified
/// re-send request is admitted within a budget of <c>maxRecords</c> per lane per <c>resendAfter</c>.
/// Publish times are kept as marks (highest seq published, at most one mark a second), so memory is
/// bounded by <c>resendAfter</c> in seconds. Thread-safe.
/// </summary>
internal sealed class ResendScheduler(TimeProvider time, TimeSpan resendAfter, int maxRecords)
{
    private static readonly TimeSpan MarkSpan = TimeSpan.FromSeconds(1);
    private readonly Lock _gate = new();
    private readonly Dictionary<Lane, LaneState> _lanes = new() { [Lane.Alarm] = new(), [Lane.Telemetry] = new() };

    /// <summary>A record was acknowledged by the broker.</summary>
    public void Published(Lane lane, long seq)
    {
        var now = time.GetTimestamp();
        lock (_gate)
        {
            var marks = _lanes[lane].Marks;
            if (marks.Count > 0 && time.GetElapsedTime(marks[^1].FirstAt, now) < MarkSpan)
            {
                marks[^1] = marks[^1] with { LastAt = now, MaxSeq = Math.Max(marks[^1].MaxSeq, seq) };
            }
            else
            {
                marks.Add(new Mark(now, now, seq));
            }
        }
    }

    /// <summary>An accepted receipt: records through <paramref name="seq"/> are never re-sent.</summary>
    public void Receipted(Lane lane, long seq)
    {
        lock (_gate)
        {
            _lanes[lane].ReceiptedThrough = Math.Max(_lanes[lane].ReceiptedThrough, seq);
        }
    }

    public long ReceiptedThrough(Lane lane)
    {
        lock (_gate)
        {
            return _lanes[lane].ReceiptedThrough;
        }
    }

    /// <summary>
    /// The range to re-send now, or null: <paramref name="lowestHeld"/> is the lowest seq the outbox
    /// still holds (null: none), <paramref name="backlogIdle"/> whether everything stored was handed
    /// out at least once (otherwise the backlog is still on its way and nothing is re-sent).
    /// </summary>
    public (long From, long To)? Due(Lane lane, long? lowestHeld, bool backlogIdle)
    {
        var now = time.GetTimestamp();
        lock (_gate)
        {
            var state = _lanes[lane];
            var marks = state.Marks;
            var aged = 0;
            while (aged < marks.Count && time.GetElapsedTime(marks[aged].LastAt, now) >= resendAfter)
            {
                state.AgedThrough = Math.Max(state.AgedThrough, marks[aged].MaxSeq);
                aged++;
            }

            marks.RemoveRange(0, aged);
            if (lowestHeld is not { } low || !backlogIdle
                || (state.LastRoundAt is { } last && time.GetElapsedTime(last, now) < resendAfter))
            {
                return null;
            }

            var from = Math.Max(low, state.ReceiptedThrough + 1);
            var to = Math.Min(state.AgedThrough, from + maxRecords - 1);
            if (to < from)
            {
                return null;
            }

            state.LastRoundAt = now;
            return (from, to);
        }
    }

    /// <summary>The part of a requested range the budget admits now (oldest first), or null when it is spent.</summary>
    public (long From, long To)? Admit(Lane lane, long from, long to)
    {
        var now = time.GetTimestamp();
        lock (_gate)
        {
            var state = _lanes[lane];
            if (state.WindowStart is not { } start || time.GetElapsedTime(start, now) >= resendAfter)
            {
                state.WindowStart = now;
                state.Admitted = 0;
            }

            var left = maxRecords - state.Admitted;
            from = Math.Max(from, state.ReceiptedThrough + 1);
            if (left <= 0 || to < from)
            {
                return null;
            }

            to = Math.Min(to, from + left - 1);
            state.Admitted += to - from + 1;
            return (from, to);
        }
    }

    private sealed record Mark(long FirstAt, long LastAt, long MaxSeq);

    private sealed class LaneState
    {
        public List<Mark> Marks { get; } = [];

        public long AgedThrough { get; set; } = -1;

        public long ReceiptedThrough { get; set; } = -1;

        public long? LastRoundAt { get; set; }

        public long? WindowStart { get; set; }

        public long Admitted { get; set; }
    }
}
