namespace EdgeTwin.Gateway.Twin.Desired;

using System.Collections.Immutable;
using EdgeTwin.Gateway.Privacy;

/// <summary>
/// The typed content of a desired document's <c>state</c> (docs/twin.md): only what it changes.
/// Sections and members left out keep their value in force.
/// </summary>
internal sealed record DesiredSettings(
    ImmutableSortedDictionary<string, DeviceChange> Devices,
    ImmutableSortedDictionary<string, double> Thresholds,
    int? CheckpointMaxRecords,
    TimeSpan? CheckpointMaxDelay,
    long? TelemetryQuotaBytes,
    long? AlarmQuotaBytes,
    ImmutableSortedDictionary<string, ImmutableSortedDictionary<StreamClass, bool>> Consent,
    ImmutableArray<DesiredBinding> Bindings);
