namespace EdgeTwin.Ingest.Storage;

using EdgeTwin.Ingest.Metrics;
using EdgeTwin.Ingest.Options;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

/// <summary>
/// Every <see cref="Interval"/> on a store with time partitions (PostgreSQL): creates the days ahead
/// and, with <c>Ingest:Retention</c>, drops whole partitions older than it (docs/ingest.md
/// "Retention"). Each drop is logged (7341) and counted (<c>edgetwin.ingest.retention.partitions</c>,
/// outcome dropped); a partition kept for its unverified records is logged (7342) and counted (kept).
/// Nothing else is ever deleted. A failed round is logged (7344) and the next one tries again.
/// </summary>
internal sealed class RecordRetention(IIngestStore store, IOptions<IngestOptions> options, TimeProvider time, IngestMetrics metrics, ILogger<RecordRetention> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    /// <summary>One round now (tests call it directly); null when the store has no time partitions.</summary>
    public async Task<RetentionRound?> RoundAsync(CancellationToken ct)
    {
        if (store is not IRecordRetention partitions)
        {
            return null;
        }

        var retention = options.Value.Retention;
        var round = await partitions.MaintainAsync(time.GetUtcNow(), retention, ct).ConfigureAwait(false);
        foreach (var name in round.NotCreated)
        {
            StorageLog.PartitionNotCreated(logger, name);
        }

        foreach (var d in round.Dropped)
        {
            StorageLog.PartitionDropped(logger, retention!.Value, d.Name, d.Until, d.Records);
            metrics.RetentionPartition("dropped");
        }

        foreach (var name in round.KeptUnverified)
        {
            StorageLog.PartitionKept(logger, retention!.Value, name);
            metrics.RetentionPartition("kept");
        }

        return round;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (store is not IRecordRetention)
        {
            return;
        }

        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            do
            {
                try
                {
                    await RoundAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    StorageLog.RoundFailed(logger, Interval, ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
