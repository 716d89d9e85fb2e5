namespace EdgeTwin.Telemetry.Desired;

using System.Collections.Immutable;

/// <summary>
/// The typed content of a desired document's <c>state</c> (docs/twin.md): only what it changes.
/// Sections and members left out keep their value in force. The settings part of every applied
/// document, laid one over the other, is the twin's overlay on the local configuration.
/// </summary>
public sealed record DesiredSettings(
    ImmutableSortedDictionary<string, DeviceChange> Devices,
    ImmutableSortedDictionary<string, double> Thresholds,
    int? CheckpointMaxRecords,
    TimeSpan? CheckpointMaxDelay,
    long? TelemetryQuotaBytes,
    ImmutableSortedDictionary<string, ImmutableSortedDictionary<StreamClass, bool>> Consent,
    ImmutableArray<DesiredBinding> Bindings,
    ImmutableSortedDictionary<string, bool> Hypercapnic)
{
    public static DesiredSettings None { get; } = new(
        ImmutableSortedDictionary<string, DeviceChange>.Empty.WithComparers(StringComparer.Ordinal),
        ImmutableSortedDictionary<string, double>.Empty.WithComparers(StringComparer.Ordinal),
        null,
        null,
        null,
        ImmutableSortedDictionary<string, ImmutableSortedDictionary<StreamClass, bool>>.Empty.WithComparers(StringComparer.Ordinal),
        [],
        ImmutableSortedDictionary<string, bool>.Empty.WithComparers(StringComparer.Ordinal));

    /// <summary>
    /// This overlay with <paramref name="later"/>'s settings laid over it; consent, bindings and
    /// patient flags are not settings (they are kept as the twin's own state) and are left out.
    /// </summary>
    public DesiredSettings Then(DesiredSettings later)
    {
        var devices = Devices;
        foreach (var (deviceId, change) in later.Devices)
        {
            var earlier = devices.GetValueOrDefault(deviceId);
            devices = devices.SetItem(deviceId, new DeviceChange(
                change.Enabled ?? earlier?.Enabled,
                (earlier?.SampleRatesHz ?? ImmutableSortedDictionary<string, double>.Empty.WithComparers(StringComparer.Ordinal)).SetItems(change.SampleRatesHz)));
        }

        return new DesiredSettings(
            devices,
            Thresholds.SetItems(later.Thresholds),
            later.CheckpointMaxRecords ?? CheckpointMaxRecords,
            later.CheckpointMaxDelay ?? CheckpointMaxDelay,
            later.TelemetryQuotaBytes ?? TelemetryQuotaBytes,
            None.Consent,
            [],
            None.Hypercapnic);
    }
}
