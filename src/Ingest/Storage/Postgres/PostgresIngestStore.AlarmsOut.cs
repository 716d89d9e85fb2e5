namespace EdgeTwin.Ingest.Storage.Postgres;

/// <summary>The alarm reporter's queue and statuses; each write commits on its own (after the WAL flush).</summary>
internal sealed partial class PostgresIngestStore
{
    public Task<IAcmLease?> TryLeaseAcmAsync(string manager, CancellationToken ct) => PostgresAcmLease.TryTakeAsync(_source, manager, ct);

    public Task<IReadOnlyList<AcmMessageRow>> AcmOutstandingAsync(string manager, int limit, CancellationToken ct) =>
        QueryAsync($"SELECT {PostgresSchema.AcmMessageColumns} FROM ingest_acm_messages WHERE manager = $1 AND status IN ('queued', 'sent') ORDER BY id LIMIT $2",
            PostgresAcmRows.Message, ct, manager, limit);

    public async Task UpdateAcmMessageAsync(AcmMessageRow row, CancellationToken ct)
    {
        await using var cmd = _source.CreateCommand(PostgresAcmRows.UpdateMessage);
        PostgresAcmRows.BindMessage(cmd, row);
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    public async Task<AcmMessageRow?> AcmMessageAsync(string controlId, CancellationToken ct) =>
        (await QueryAsync($"SELECT {PostgresSchema.AcmMessageColumns} FROM ingest_acm_messages WHERE control_id = $1 ORDER BY id LIMIT 1",
            PostgresAcmRows.Message, ct, controlId).ConfigureAwait(false)).FirstOrDefault();

    public Task<IReadOnlyList<AcmMessageRow>> AcmMessagesAsync(string alertId, CancellationToken ct) =>
        QueryAsync($"SELECT {PostgresSchema.AcmMessageColumns} FROM ingest_acm_messages WHERE alert_id = $1 ORDER BY id", PostgresAcmRows.Message, ct, alertId);

    public async Task<AcmAlertRow?> AcmAlertAsync(string alertId, CancellationToken ct) =>
        (await QueryAsync($"SELECT {PostgresSchema.AcmAlertColumns} FROM ingest_acm_alerts WHERE alert_id = $1", PostgresAcmRows.Alert, ct, alertId).ConfigureAwait(false)).FirstOrDefault();

    public Task<IReadOnlyList<AcmAlertRow>> AcmAlertsAsync(string? gw, int limit, CancellationToken ct) =>
        QueryAsync($"SELECT {PostgresSchema.AcmAlertColumns} FROM ingest_acm_alerts WHERE ($1::text IS NULL OR gw = $1) ORDER BY updated_at DESC, alert_id LIMIT $2",
            PostgresAcmRows.Alert, ct, (object?)gw ?? DBNull.Value, limit);

    public async Task AddAcmStatusAsync(AcmStatusRow row, CancellationToken ct)
    {
        await using var cmd = _source.CreateCommand("INSERT INTO ingest_acm_statuses (alert_id, status, who, at, received_at, peer, control_id) VALUES ($1, $2, $3, $4, $5, $6, $7)");
        var p = cmd.Parameters;
        p.AddWithValue(row.AlertId);
        p.AddWithValue(row.Status);
        p.AddWithValue((object?)row.Who ?? DBNull.Value);
        p.AddWithValue(row.At.ToUniversalTime());
        p.AddWithValue(row.ReceivedAt.ToUniversalTime());
        p.AddWithValue(row.Peer);
        p.AddWithValue(row.ControlId);
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<AcmStatusRow>> AcmStatusesAsync(string alertId, CancellationToken ct) =>
        QueryAsync($"SELECT {PostgresSchema.AcmStatusColumns} FROM ingest_acm_statuses WHERE alert_id = $1 ORDER BY id", PostgresAcmRows.Status, ct, alertId);
}
