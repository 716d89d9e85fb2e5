namespace EdgeTwin.Gateway.Twin.Desired;

using System.Collections.Immutable;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Desired;

/// <summary>
/// The configuration in force, built from the defaults and every desired document applied so far.
/// Immutable: consumers (drivers, alarms, outbox) get a whole new one after each applied document.
/// </summary>
internal sealed record TwinConfiguration(
    ImmutableSortedDictionary<string, DeviceSettings> Devices,
    AlarmThresholds Thresholds,
    CheckpointPolicy Checkpoint,
    QuotaSettings Quotas)
{
    public static TwinConfiguration Default { get; } = new(
        ImmutableSortedDictionary<string, DeviceSettings>.Empty.WithComparers(StringComparer.Ordinal),
        AlarmThresholds.Default,
        CheckpointPolicy.Default,
        QuotaSettings.Default);

    public DeviceSettings For(string deviceId) => Devices.TryGetValue(deviceId, out var settings) ? settings : DeviceSettings.Default;

    public bool Equals(TwinConfiguration? other) =>
        other is not null && Devices.SequenceEqual(other.Devices) && Thresholds == other.Thresholds &&
        Checkpoint == other.Checkpoint && Quotas == other.Quotas;

    public override int GetHashCode() => HashCode.Combine(Devices.Count, Thresholds, Checkpoint, Quotas);
}
