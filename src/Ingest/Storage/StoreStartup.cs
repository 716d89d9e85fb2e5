namespace EdgeTwin.Ingest.Storage;

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

/// <summary>Opens the store (creates files or tables, migrates older ones: logged, 7340) before the worker and the API use it.</summary>
internal sealed class StoreStartup(IIngestStore store, ILogger<StoreStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.InitializeAsync(cancellationToken).ConfigureAwait(false);
        if (store is IRecordRetention { Migrated: { } what })
        {
            StorageLog.Migrated(logger, what);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
