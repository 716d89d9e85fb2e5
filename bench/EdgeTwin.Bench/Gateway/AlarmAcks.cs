namespace EdgeTwin.Bench.Gateway;

using System.Diagnostics;
using System.Diagnostics.Metrics;

/// <summary>
/// Stopwatch timestamps of the gateway's own PUBACK counter (<c>edgetwin.uplink.published</c>)
/// for the alarm lane, the count of backlog records acknowledged, and the group commits' durations.
/// </summary>
internal sealed class AlarmAcks : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<long> _alarm = [];
    private readonly List<double> _commits = [];
    private long _backlog;

    public AlarmAcks(Meter meter)
    {
        _listener.InstrumentPublished = (i, l) =>
        {
            if (ReferenceEquals(i.Meter, meter) && i.Name is "edgetwin.uplink.published" or "edgetwin.outbox.commit.duration")
            {
                l.EnableMeasurementEvents(i);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, v, tags, _) =>
        {
            var now = Stopwatch.GetTimestamp();
            foreach (var tag in tags)
            {
                if (tag.Key == "lane" && (string?)tag.Value == "alarm")
                {
                    lock (_alarm)
                    {
                        _alarm.Add(now);
                    }
                }
                else if (tag.Key == "source" && (string?)tag.Value == "backlog")
                {
                    Interlocked.Add(ref _backlog, v);
                }
            }
        });
        _listener.SetMeasurementEventCallback<double>((_, v, _, _) =>
        {
            lock (_commits)
            {
                _commits.Add(v * 1000);
            }
        });
        _listener.Start();
    }

    public int Count
    {
        get
        {
            lock (_alarm)
            {
                return _alarm.Count;
            }
        }
    }

    public long BacklogPublished => Interlocked.Read(ref _backlog);

    public long At(int index)
    {
        lock (_alarm)
        {
            return _alarm[index];
        }
    }

    /// <summary>Durations (ms) of the group commits since the last call.</summary>
    public List<double> TakeCommitDurations()
    {
        lock (_commits)
        {
            var taken = new List<double>(_commits);
            _commits.Clear();
            return taken;
        }
    }

    public void Dispose() => _listener.Dispose();
}
