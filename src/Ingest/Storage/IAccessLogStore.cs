namespace EdgeTwin.Ingest.Storage;

/// <summary>The access log in the ingest store; both backends implement it.</summary>
internal interface IAccessLogStore
{
    /// <summary>Adds an entry, committed (and on disk) when the task completes.</summary>
    Task AppendAccessAsync(AccessRow row, CancellationToken ct);

    /// <summary>The newest <paramref name="limit"/> entries about <paramref name="patient"/> (any when null) at or after <paramref name="since"/>, oldest first.</summary>
    Task<IReadOnlyList<AccessRow>> AccessAsync(string? patient, DateTimeOffset? since, int limit, CancellationToken ct);
}
