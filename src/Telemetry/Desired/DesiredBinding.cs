namespace EdgeTwin.Gateway.Twin.Desired;

using System.Collections.Immutable;
using EdgeTwin.Gateway.Twin.Binding;

/// <summary>
/// A binding action as a desired document states it, with the hospital identifier the cloud knows;
/// the twin pseudonymises it before it is kept anywhere. <see cref="At"/> null means "when applied".
/// </summary>
internal sealed record DesiredBinding(BindingAction Action, string HospitalId, string? Bed, ImmutableArray<string> Devices, DateTimeOffset? At);
