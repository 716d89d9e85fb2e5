namespace EdgeTwin.Telemetry.Chain;

/// <summary>
/// Checkpoint cadence (PROTOCOL §5): sign the head after <see cref="MaxRecords"/> uncovered records
/// or <see cref="MaxDelay"/> after the first uncovered one, whichever comes first. A value: the
/// gateway's configuration in force, its desired state and its chain writers share this one type.
/// </summary>
public sealed record CheckpointPolicy
{
    private readonly int maxRecords = 256;
    private readonly TimeSpan maxDelay = TimeSpan.FromSeconds(1);

    public int MaxRecords
    {
        get => maxRecords;
        init => maxRecords = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "MaxRecords must be at least 1");
    }

    public TimeSpan MaxDelay
    {
        get => maxDelay;
        init => maxDelay = value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "MaxDelay must not be negative");
    }

    public static CheckpointPolicy Default { get; } = new();
}
