namespace EdgeTwin.Gateway.Configuration;

using System.ComponentModel.DataAnnotations;
using EdgeTwin.Drivers.Configuration;
using EdgeTwin.Telemetry.Chain;

/// <summary><c>Outbox:*</c> settings: the durability window, signature cadence and quotas.</summary>
internal sealed class OutboxOptions
{
    public const string Section = "Outbox";

    /// <summary>Group commit: the longest a record waits in memory before it is on disk.</summary>
    [TimeSpanRange("00:00:00.001", "00:00:05")]
    public TimeSpan CommitInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    [Range(1, 100_000)]
    public int CheckpointMaxRecords { get; set; } = 256;

    [TimeSpanRange("00:00:00.010", "00:10:00")]
    public TimeSpan CheckpointMaxDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The two settings above as the one cadence type the chain writers and the twin use.</summary>
    public CheckpointPolicy Checkpoint => new() { MaxRecords = CheckpointMaxRecords, MaxDelay = CheckpointMaxDelay };

    /// <summary>Bytes of unsent telemetry records kept before waveforms, then vitals, are evicted behind a gap.</summary>
    [Range(64 * 1024L, long.MaxValue)]
    public long TelemetryQuotaBytes { get; set; } = 1L << 30;

    /// <summary>
    /// Free-space floor of the data directory's filesystem: when a commit leaves less free than the
    /// smaller of this and <see cref="MinFreePercent"/> of the filesystem, the oldest unsent
    /// waveforms, then vitals, are evicted behind a gap (<c>disk-space</c>) until the outbox stops
    /// growing. The default (256 MiB) leaves an SD card room for the journal, an update and the twin
    /// store; 0 turns the floor off (then only a full disk stops the outbox, see docs/operations.md).
    /// </summary>
    [Range(0L, long.MaxValue)]
    public long MinFreeBytes { get; set; } = 256L << 20;

    /// <summary>The floor as a share of the filesystem, for cards too small for <see cref="MinFreeBytes"/> (never under <see cref="MinimumFloorBytes"/>).</summary>
    [Range(0.0, 50.0)]
    public double MinFreePercent { get; set; } = 5;

    /// <summary>
    /// The least floor however small the card: an eviction commit's write-ahead log (at most 16
    /// deletions and a commit's records, see GroupCommitter) must fit under it with room to spare
    /// (1 MiB did not, on a 6 MB disk with 16 beds).
    /// </summary>
    public const long MinimumFloorBytes = 2L << 20;

    /// <summary>The floor in bytes on a filesystem of <paramref name="totalBytes"/> (0: no floor).</summary>
    public long FloorBytes(long totalBytes) =>
        MinFreeBytes <= 0 || MinFreePercent <= 0 ? 0 : Math.Max(MinimumFloorBytes, Math.Min(MinFreeBytes, (long)(totalBytes * MinFreePercent / 100)));
}
