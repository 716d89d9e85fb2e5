namespace EdgeTwin.Ingest.Storage;

using Microsoft.Extensions.Hosting;

/// <summary>Opens the store (creates files or tables) before the worker and the API use it.</summary>
internal sealed class StoreStartup : IHostedService
{
    private readonly IIngestStore _store;

    public StoreStartup(IIngestStore store) => _store = store;

    public Task StartAsync(CancellationToken cancellationToken) => _store.InitializeAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
