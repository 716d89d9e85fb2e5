namespace EdgeTwin.Gateway.Twin.Model;

using System.Collections.Immutable;
using EdgeTwin.Gateway.Twin.Binding;
using EdgeTwin.Telemetry.Desired;

/// <summary>
/// Everything the twin persists, at one instant. The control part (versions, desired overlay,
/// consent, bindings) is what a restart must never lose; the rest is the latest observations.
/// The overlay, not the merged configuration, is kept, so that a changed local configuration
/// still provides every setting no desired document has set.
/// </summary>
internal sealed record TwinSnapshot(
    long DesiredVersion,
    long ReportedVersion,
    DesiredRejection? LastRejected,
    DesiredSettings Overlay,
    ImmutableSortedDictionary<string, ImmutableSortedDictionary<StreamClass, bool>> Consent,
    ImmutableArray<BindingWindow> Bindings,
    ImmutableArray<DeviceTwin> Devices,
    ImmutableArray<PatientTwin> Patients)
{
    /// <summary>Patients flagged hypercapnic (pseudonyms); a snapshot written before the flag existed has none.</summary>
    public ImmutableArray<string> Hypercapnic { get; init; } = [];
}
