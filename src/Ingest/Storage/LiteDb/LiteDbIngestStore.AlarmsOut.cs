namespace EdgeTwin.Ingest.Storage.LiteDb;

using EdgeTwin.Outbox;
using LiteDB;

/// <summary>The alarm reporter's queue and statuses; each write is a transaction forced to disk like a batch.</summary>
internal sealed partial class LiteDbIngestStore
{
    /// <summary>One worker owns a LiteDB store, so its sender always holds the lease.</summary>
    public Task<IAcmLease?> TryLeaseAcmAsync(string manager, CancellationToken ct) => Task.FromResult<IAcmLease?>(new SoleLease());

    public Task<IReadOnlyList<AcmMessageRow>> AcmOutstandingAsync(string manager, int limit, CancellationToken ct) => Read(db =>
        (IReadOnlyList<AcmMessageRow>)db.GetCollection(LiteDbAcmMapping.Messages).Find(LiteDbQuery.Eq("manager", manager))
            .Select(LiteDbAcmMapping.ToMessage).Where(m => m.Outstanding).OrderBy(m => m.Id).Take(limit).ToList(), ct);

    public Task UpdateAcmMessageAsync(AcmMessageRow row, CancellationToken ct) =>
        WriteOneAsync(db => db.GetCollection(LiteDbAcmMapping.Messages, BsonAutoId.Int64).Update(LiteDbAcmMapping.FromMessage(row)), ct);

    public Task<AcmMessageRow?> AcmMessageAsync(string controlId, CancellationToken ct) => Read(db =>
    {
        var doc = db.GetCollection(LiteDbAcmMapping.Messages).FindOne(LiteDbQuery.Eq("controlId", controlId));
        return doc is null ? null : LiteDbAcmMapping.ToMessage(doc);
    }, ct);

    public Task<IReadOnlyList<AcmMessageRow>> AcmMessagesAsync(string alertId, CancellationToken ct) => Read(db =>
        (IReadOnlyList<AcmMessageRow>)db.GetCollection(LiteDbAcmMapping.Messages).Find(LiteDbQuery.Eq("alertId", alertId))
            .Select(LiteDbAcmMapping.ToMessage).OrderBy(m => m.Id).ToList(), ct);

    public Task<AcmAlertRow?> AcmAlertAsync(string alertId, CancellationToken ct) => Read(db =>
    {
        var doc = db.GetCollection(LiteDbAcmMapping.Alerts).FindById(alertId);
        return doc is null ? null : LiteDbAcmMapping.ToAlert(doc);
    }, ct);

    public Task<IReadOnlyList<AcmAlertRow>> AcmAlertsAsync(string? gw, int limit, CancellationToken ct) => Read(db =>
    {
        var col = db.GetCollection(LiteDbAcmMapping.Alerts);
        var docs = gw is null ? col.FindAll() : col.Find(LiteDbQuery.Eq("gw", gw));
        return (IReadOnlyList<AcmAlertRow>)docs.Select(LiteDbAcmMapping.ToAlert).OrderByDescending(a => a.UpdatedAt).ThenBy(a => a.AlertId, StringComparer.Ordinal).Take(limit).ToList();
    }, ct);

    public Task AddAcmStatusAsync(AcmStatusRow row, CancellationToken ct) =>
        WriteOneAsync(db => db.GetCollection(LiteDbAcmMapping.Statuses, BsonAutoId.Int64).Insert(LiteDbAcmMapping.FromStatus(row)), ct);

    public Task<IReadOnlyList<AcmStatusRow>> AcmStatusesAsync(string alertId, CancellationToken ct) => Read(db =>
        (IReadOnlyList<AcmStatusRow>)db.GetCollection(LiteDbAcmMapping.Statuses).Find(LiteDbQuery.Eq("alertId", alertId))
            .Select(LiteDbAcmMapping.ToStatus).OrderBy(s => s.Id).ToList(), ct);

    private async Task WriteOneAsync(Action<LiteDatabase> write, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var db = Begin();
            try
            {
                write(db);
            }
            catch (Exception failure)
            {
                RollBack(db, failure);
                throw;
            }

            CommitDurably(db);
        }
        finally
        {
            _gate.Release();
        }
    }

    private sealed class SoleLease : IAcmLease
    {
        public Task<bool> StillHeldAsync(CancellationToken ct) => Task.FromResult(true);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
