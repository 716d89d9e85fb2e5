namespace EdgeTwin.Ingest.AlarmsOut;

using System.Threading.Channels;
using EdgeTwin.Ingest.Identity;
using EdgeTwin.Ingest.Options;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Ingest.Topics;
using EdgeTwin.Telemetry.Documents;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

/// <summary>
/// Puts a manager's status back to the box (<c>Ingest:AlarmsOut:StatusToBox</c>, off by default):
/// each recorded PCD-05 status of a configured kind becomes an <see cref="AlarmStatusDocument"/>
/// signed by the ingest key, published (QoS 1, not retained) on the alarm's gateway's
/// <c>alarm-status</c> topic. Its <c>seq</c> is the status's row id in the store, which only grows,
/// so the box can refuse a replayed older one. Published after the manager's ACK, off the MLLP path;
/// while the broker is away it is tried again with the senders' back-off, and one still unpublished
/// when the ingest stops is logged (7219) and counted as dropped: the status itself stays recorded.
/// </summary>
internal sealed class AlarmStatusToBox(
    IOptions<IngestOptions> options,
    IIngestStore store,
    IngestIdentity identity,
    Func<string, byte[], CancellationToken, Task<bool>> publish,
    AlarmsOutMetrics metrics,
    TimeProvider time,
    ILogger<AlarmStatusToBox> logger) : BackgroundService
{
    private readonly IAlarmOutStore _store = (IAlarmOutStore)store;
    private readonly Channel<(AcmAlertRow Alert, AcmStatusRow Status)> _pending = Channel.CreateUnbounded<(AcmAlertRow, AcmStatusRow)>();
    private readonly IReadOnlySet<string> _statuses = options.Value.AlarmsOut.StatusesToBox();
    private long _published;

    /// <summary>Whether statuses go back to boxes at all.</summary>
    public bool Enabled => options.Value.AlarmsOut.StatusToBox;

    /// <summary>Statuses taken and not yet picked up for publishing.</summary>
    public int Waiting => _pending.Reader.Count;

    /// <summary>Documents published so far.</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>Called once a status is recorded; takes it when it is of a kind that goes back.</summary>
    public void Offer(AcmAlertRow alert, AcmStatusRow status)
    {
        if (Enabled && _statuses.Contains(status.Status))
        {
            _pending.Writer.TryWrite((alert, status));
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var (alert, status) in _pending.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                await PutBackAsync(alert, status, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is still waiting is said below.
        }

        while (_pending.Reader.TryRead(out var left))
        {
            Dropped(left.Alert, left.Status.Status, "the ingest stopped first");
        }
    }

    private async Task PutBackAsync(AcmAlertRow alert, AcmStatusRow status, CancellationToken ct)
    {
        var o = options.Value;
        var delay = o.AlarmsOut.RetryDelay;
        var said = false;
        while (true)
        {
            string reason;
            try
            {
                var seq = (await _store.AcmStatusesAsync(alert.AlertId, ct).ConfigureAwait(false)).FirstOrDefault(s => s.ControlId == status.ControlId)?.Id;
                // The site its records came under (a gateway that never reported a twin has no gateway row).
                var site = (await store.ChainsAsync(alert.Gw, ct).ConfigureAwait(false)).Select(c => c.Site).FirstOrDefault()
                    ?? (await store.GatewayAsync(alert.Gw, ct).ConfigureAwait(false))?.Site;
                if (seq is null || site is null)
                {
                    // Cannot happen for a status recorded against an alert of a stored gateway; said rather than retried for ever.
                    Dropped(alert, status.Status, seq is null ? "the status is not in the store" : "the gateway's site is not known");
                    return;
                }

                var document = new AlarmStatusDocument(alert.Gw, seq.Value, time.GetUtcNow(), alert.AlertId, alert.Patient, alert.Device, alert.Condition, status.Status, status.Who, status.At);
                if (await publish(TopicName.AlarmStatus(o.TopicPrefix, site, alert.Gw), document.Seal(identity.Key), ct).ConfigureAwait(false))
                {
                    Interlocked.Increment(ref _published);
                    metrics.ToBox("published");
                    AlarmsOutLog.StatusToBox(logger, alert.AlertId, status.Status, status.Who ?? "(not named)", alert.Gw, seq.Value);
                    return;
                }

                reason = "the broker is not connected or refused it";
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                reason = $"{ex.GetType().Name}: {ex.Message}";
            }

            metrics.ToBox("retry");
            if (!said)
            {
                AlarmsOutLog.StatusToBoxFailed(logger, alert.AlertId, status.Status, alert.Gw, reason, "trying again with back-off");
                said = true;
            }

            try
            {
                await Task.Delay(delay, time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Dropped(alert, status.Status, "the ingest stopped first");
                throw;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, o.AlarmsOut.RetryMaxDelay.Ticks));
        }
    }

    private void Dropped(AcmAlertRow alert, string status, string reason)
    {
        metrics.ToBox("dropped");
        AlarmsOutLog.StatusToBoxFailed(logger, alert.AlertId, status, alert.Gw, reason, "not put back (the status stays recorded at the ingest)");
    }
}
