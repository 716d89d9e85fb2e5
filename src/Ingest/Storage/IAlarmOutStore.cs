namespace EdgeTwin.Ingest.Storage;

/// <summary>
/// The alarm reporter's side of the store (both backends): the PCD-04 queue each sender drains,
/// the alarms it names and the PCD-05 statuses recorded against them. Messages are queued inside
/// the batch transaction (<see cref="IWriteSession.EnqueueAcmAsync"/>); everything here is its own
/// small transaction, durable when the task completes.
/// </summary>
internal interface IAlarmOutStore
{
    /// <summary>The sending lease of <paramref name="manager"/>, or null while another worker holds it.</summary>
    Task<IAcmLease?> TryLeaseAcmAsync(string manager, CancellationToken ct);

    /// <summary>The manager's queued and sent (unacknowledged) messages, oldest first.</summary>
    Task<IReadOnlyList<AcmMessageRow>> AcmOutstandingAsync(string manager, int limit, CancellationToken ct);

    Task UpdateAcmMessageAsync(AcmMessageRow row, CancellationToken ct);

    /// <summary>The message with this control id (any manager), or null.</summary>
    Task<AcmMessageRow?> AcmMessageAsync(string controlId, CancellationToken ct);

    Task<IReadOnlyList<AcmMessageRow>> AcmMessagesAsync(string alertId, CancellationToken ct);

    Task<AcmAlertRow?> AcmAlertAsync(string alertId, CancellationToken ct);

    /// <summary>Newest first; <paramref name="gw"/> null: every gateway.</summary>
    Task<IReadOnlyList<AcmAlertRow>> AcmAlertsAsync(string? gw, int limit, CancellationToken ct);

    Task AddAcmStatusAsync(AcmStatusRow row, CancellationToken ct);

    Task<IReadOnlyList<AcmStatusRow>> AcmStatusesAsync(string alertId, CancellationToken ct);
}
