namespace EdgeTwin.Gateway.Twin.Model;

using System.Collections.Immutable;
using EdgeTwin.Gateway.Privacy;
using EdgeTwin.Gateway.Twin.Binding;
using EdgeTwin.Gateway.Twin.Desired;

/// <summary>
/// Everything the twin persists, at one instant. The control part (versions, configuration,
/// consent, bindings) is what a restart must never lose; the rest is the latest observations.
/// </summary>
internal sealed record TwinSnapshot(
    long DesiredVersion,
    long ReportedVersion,
    DesiredRejection? LastRejected,
    TwinConfiguration Configuration,
    ImmutableSortedDictionary<string, ImmutableSortedDictionary<StreamClass, bool>> Consent,
    ImmutableArray<BindingWindow> Bindings,
    ImmutableArray<DeviceTwin> Devices,
    ImmutableArray<PatientTwin> Patients);
