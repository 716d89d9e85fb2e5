namespace EdgeTwin.Gateway.Twin.Desired;

/// <summary>Checkpoint cadence in force (PROTOCOL §5): at most this many records or this delay.</summary>
internal sealed record CheckpointSettings(int MaxRecords, TimeSpan MaxDelay)
{
    public const int MinRecords = 1;
    public const int MaxRecordsLimit = 100_000;
    public static readonly TimeSpan MinDelay = TimeSpan.FromMilliseconds(10);
    public static readonly TimeSpan MaxDelayLimit = TimeSpan.FromMinutes(10);

    public static CheckpointSettings Default { get; } = new(256, TimeSpan.FromSeconds(1));
}
