namespace EdgeTwin.Ingest.Storage;

using Microsoft.Extensions.Logging;

internal static partial class StorageLog
{
    [LoggerMessage(EventId = 7340, Level = LogLevel.Warning, Message = "Store migrated: {What}")]
    public static partial void Migrated(ILogger logger, string what);

    [LoggerMessage(EventId = 7341, Level = LogLevel.Information, Message = "Retention ({Retention}): dropped records partition {Partition} (received before {Until:yyyy-MM-dd} UTC, about {Records} records)")]
    public static partial void PartitionDropped(ILogger logger, TimeSpan retention, string partition, DateTimeOffset until, long records);

    [LoggerMessage(EventId = 7342, Level = LogLevel.Warning, Message = "Retention ({Retention}): kept records partition {Partition}, older than the retention: it holds records their chain has not verified yet (a gap never filled, or no checkpoint yet); see GET /api/chains")]
    public static partial void PartitionKept(ILogger logger, TimeSpan retention, string partition);

    [LoggerMessage(EventId = 7343, Level = LogLevel.Warning, Message = "Records partition {Partition} not created: the default partition holds records of that day already (received before the partition was made); they stay there and retention never drops them")]
    public static partial void PartitionNotCreated(ILogger logger, string partition);

    [LoggerMessage(EventId = 7344, Level = LogLevel.Error, Message = "Records partition round (create ahead, retention) failed (the store unavailable, or a lock not granted in time); trying again in {Interval}")]
    public static partial void RoundFailed(ILogger logger, TimeSpan interval, Exception ex);
}
