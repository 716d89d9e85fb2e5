namespace EdgeTwin.Gateway.Configuration;

using System.ComponentModel.DataAnnotations;

/// <summary><c>Outbox:*</c> settings: the durability window, signature cadence and quotas.</summary>
internal sealed class OutboxOptions
{
    public const string Section = "Outbox";

    /// <summary>Group commit: the longest a record waits in memory before it is on disk.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:05")]
    public TimeSpan CommitInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    [Range(1, 100_000)]
    public int CheckpointMaxRecords { get; set; } = 256;

    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan CheckpointMaxDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Bytes of unsent telemetry records kept before waveforms, then vitals, are evicted behind a gap.</summary>
    [Range(64 * 1024L, long.MaxValue)]
    public long TelemetryQuotaBytes { get; set; } = 1L << 30;
}
