namespace EdgeTwin.Ingest.Storage;

/// <summary>Alerts raised outside a batch (the alarm reporter's), stored in a transaction of their own that locks no chain.</summary>
internal static class StoreAlerts
{
    public static Task AddAlertAsync(this IIngestStore store, AlertRow alert, CancellationToken ct) =>
        store.WriteAsync([], "", async session =>
        {
            await session.AddAlertAsync(alert).ConfigureAwait(false);
            return true;
        }, ct);
}
