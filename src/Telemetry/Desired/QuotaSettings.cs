namespace EdgeTwin.Telemetry.Desired;

/// <summary>
/// Outbox quota in force: bytes of unsent telemetry kept before waveforms, then vitals, are evicted
/// behind a gap. The alarm lane has no quota: alarms are never dropped (DESIGN decision 4).
/// </summary>
public sealed record QuotaSettings(long TelemetryMaxBytes)
{
    public const long TelemetryMin = 64L << 10;
    public const long TelemetryMax = 1L << 40;

    public static QuotaSettings Default { get; } = new(1L << 30);
}
