namespace EdgeTwin.Gateway.Twin.Desired;

/// <summary>Outbox quotas in force, per lane, in bytes of stored records.</summary>
internal sealed record QuotaSettings(long TelemetryMaxBytes, long AlarmMaxBytes)
{
    public const long TelemetryMin = 1L << 20;
    public const long TelemetryMax = 64L << 30;
    public const long AlarmMin = 64L << 10;
    public const long AlarmMax = 1L << 30;

    public static QuotaSettings Default { get; } = new(1L << 30, 64L << 20);
}
