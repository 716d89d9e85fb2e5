namespace EdgeTwin.Bench.Gateway;

using System.Diagnostics;
using System.Diagnostics.Metrics;

/// <summary>
/// Stopwatch timestamps of the gateway's own PUBACK counter (<c>edgetwin.uplink.published</c>)
/// for the alarm lane, and the count of backlog records acknowledged.
/// </summary>
internal sealed class AlarmAcks : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<long> _alarm = [];
    private long _backlog;

    public AlarmAcks(Meter meter)
    {
        _listener.InstrumentPublished = (i, l) =>
        {
            if (ReferenceEquals(i.Meter, meter) && i.Name == "edgetwin.uplink.published")
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

    public void Dispose() => _listener.Dispose();
}
