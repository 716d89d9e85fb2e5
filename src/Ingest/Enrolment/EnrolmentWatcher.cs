namespace EdgeTwin.Ingest.Enrolment;

using EdgeTwin.Ingest.Options;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

/// <summary>
/// Reads <c>Ingest:EnrolmentFile</c> again every <c>Ingest:EnrolmentReloadInterval</c> and applies it
/// when its content changed: a revocation takes effect without a restart. Polling the content (not
/// file-system events) sees every way an operator or a provisioning tool replaces a file.
/// </summary>
internal sealed class EnrolmentWatcher(GatewayEnrolment enrolment, IOptionsMonitor<IngestOptions> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (string.IsNullOrEmpty(options.CurrentValue.EnrolmentFile))
        {
            return;
        }

        using var timer = new PeriodicTimer(options.CurrentValue.EnrolmentReloadInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                enrolment.ReloadFile();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
