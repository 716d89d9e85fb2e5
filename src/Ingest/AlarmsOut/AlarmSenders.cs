namespace EdgeTwin.Ingest.AlarmsOut;

using EdgeTwin.Ingest.Alerts;
using EdgeTwin.Ingest.Options;
using EdgeTwin.Ingest.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

/// <summary>One <see cref="AlarmManagerSender"/> per configured alarm manager, for the life of the host (none where <c>Ingest:AlarmsOut:Send</c> is false).</summary>
internal sealed class AlarmSenders(
    IOptions<IngestOptions> options, IIngestStore store, AlarmQueue queue, AlertPublisher alerts, AlarmsOutMetrics metrics, TimeProvider time, ILogger<AlarmSenders> logger) : BackgroundService
{
    private readonly List<AlarmManagerSender> _senders = [];

    /// <summary>The senders, by manager order (tests read their counters).</summary>
    public IReadOnlyList<AlarmManagerSender> Senders => _senders;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.AlarmsOut.Send)
        {
            return Task.CompletedTask;
        }

        foreach (var manager in o.AlarmManagers)
        {
            _senders.Add(new AlarmManagerSender(manager, o.AlarmsOut, store, queue, alerts, metrics, time, logger));
        }

        return Task.WhenAll(_senders.Select(s => s.RunAsync(stoppingToken)));
    }
}
