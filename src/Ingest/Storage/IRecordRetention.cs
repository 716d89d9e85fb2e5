namespace EdgeTwin.Ingest.Storage;

/// <summary>
/// A store whose records are kept in time partitions (PostgreSQL): created ahead, and with
/// <c>Ingest:Retention</c> dropped whole once older than it (docs/ingest.md "Retention").
/// </summary>
internal interface IRecordRetention
{
    /// <summary>What <see cref="IIngestStore.InitializeAsync"/> migrated, for the log; null when nothing.</summary>
    string? Migrated { get; }

    /// <summary>
    /// Creates the partitions of yesterday, today and the days ahead; then, with a
    /// <paramref name="retention"/>, drops each partition whose every record was received more than
    /// that long before <paramref name="now"/>, unless it holds a record its chain has not verified yet.
    /// </summary>
    Task<RetentionRound> MaintainAsync(DateTimeOffset now, TimeSpan? retention, CancellationToken ct);
}

/// <summary>What one round did.</summary>
/// <param name="NotCreated">Days whose partition could not be made: the default partition holds rows of that day already.</param>
/// <param name="KeptUnverified">Partitions older than the retention kept because they hold records not verified yet.</param>
internal sealed record RetentionRound(IReadOnlyList<string> Created, IReadOnlyList<string> NotCreated, IReadOnlyList<DroppedPartition> Dropped, IReadOnlyList<string> KeptUnverified);

/// <summary>A dropped partition: its name, the end of the time range it held, and about how many records it held.</summary>
internal sealed record DroppedPartition(string Name, DateTimeOffset Until, long Records);
