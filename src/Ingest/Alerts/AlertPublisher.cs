namespace EdgeTwin.Ingest.Alerts;

using EdgeTwin.Ingest.Metrics;
using EdgeTwin.Ingest.Storage;
using Microsoft.Extensions.Logging;

/// <summary>
/// Makes stored alerts visible: a log line each and a count by kind. Called after the transaction
/// that stored them committed, so nothing is announced that a rollback took back.
/// </summary>
internal sealed class AlertPublisher
{
    private readonly ILogger<AlertPublisher> _logger;
    private readonly IngestMetrics _metrics;

    public AlertPublisher(ILogger<AlertPublisher> logger, IngestMetrics metrics)
    {
        _logger = logger;
        _metrics = metrics;
    }

    public void Published(IEnumerable<AlertRow> alerts)
    {
        foreach (var a in alerts)
        {
            AlertLog.Alert(_logger, a.Kind, a.Gw, a.Lane, a.Epoch, a.Seq, a.Detail);
            _metrics.Alert(a.Kind);
        }
    }
}
