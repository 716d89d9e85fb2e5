namespace EdgeTwin.Ingest.AlarmsOut;

using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using EdgeTwin.Ingest.Metrics;

/// <summary>The alarm reporter's instruments, on the ingest's meter (names in docs/alarms-out.md).</summary>
internal sealed class AlarmsOutMetrics
{
    private readonly Counter<long> _messages;
    private readonly Counter<long> _sendFailures;
    private readonly Counter<long> _unreachable;
    private readonly Counter<long> _statuses;
    private readonly Counter<long> _peersRefused;
    private readonly Counter<long> _toBox;
    private readonly Histogram<double> _delivery;
    private readonly ConcurrentDictionary<string, int> _down = new(StringComparer.Ordinal);

    public AlarmsOutMetrics(IMeterFactory factory)
    {
        var meter = factory.Create(IngestMetrics.MeterName);
        _messages = meter.CreateCounter<long>("edgetwin.ingest.alarms_out.messages", "{message}", "PCD-04 messages by manager and outcome (acked, error, rejected, failed, resent).");
        _sendFailures = meter.CreateCounter<long>("edgetwin.ingest.alarms_out.send_failures", "{attempt}", "PCD-04 sends that got no valid answer within the deadline, by manager and reason.");
        _unreachable = meter.CreateCounter<long>("edgetwin.ingest.alarms_out.unreachable", "{episode}", "Times an alarm manager was found unreachable (alert alarm-manager-unreachable).");
        _statuses = meter.CreateCounter<long>("edgetwin.ingest.alarms_out.statuses", "{report}", "PCD-05 status reports by outcome (recorded, duplicate, refused) and reason.");
        _peersRefused = meter.CreateCounter<long>("edgetwin.ingest.alarms_out.peers_refused", "{connection}", "Connections to the PCD-05 listener from addresses not allowed.");
        _toBox = meter.CreateCounter<long>("edgetwin.ingest.alarms_out.to_box", "{status}", "Alert statuses put back to the box, by outcome (published, retry, dropped).");
        _delivery = meter.CreateHistogram<double>("edgetwin.ingest.alarms_out.delivery", "s", "From queued (alarm record verified and committed) to the manager's ACK.", advice: EdgeTwin.Hosting.LatencyBuckets.Seconds);
        meter.CreateObservableGauge("edgetwin.ingest.alarms_out.managers_down", () => _down.Values.Sum(), "{manager}", "Alarm managers currently unreachable.");
    }

    public void Message(string manager, string outcome) =>
        _messages.Add(1, new KeyValuePair<string, object?>("manager", manager), new KeyValuePair<string, object?>("outcome", outcome));

    public void SendFailed(string manager, string reason) =>
        _sendFailures.Add(1, new KeyValuePair<string, object?>("manager", manager), new KeyValuePair<string, object?>("reason", reason));

    public void Down(string manager, bool down)
    {
        if (down && _down.TryAdd(manager, 1))
        {
            _unreachable.Add(1, new KeyValuePair<string, object?>("manager", manager));
        }
        else if (!down)
        {
            _down.TryRemove(manager, out _);
        }
    }

    public void Status(string outcome, string reason) =>
        _statuses.Add(1, new KeyValuePair<string, object?>("outcome", outcome), new KeyValuePair<string, object?>("reason", reason));

    public void ToBox(string outcome) => _toBox.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void PeerRefused() => _peersRefused.Add(1);

    public void Delivered(string manager, TimeSpan elapsed) =>
        _delivery.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("manager", manager));
}
