namespace EdgeTwin.Telemetry.Desired;

using System.Collections.Immutable;

/// <summary>
/// A binding action as a desired document states it, with the hospital identifier the cloud knows;
/// the twin pseudonymises it before it is kept anywhere. <see cref="At"/> null means "when applied".
/// </summary>
public sealed record DesiredBinding(BindingAction Action, string HospitalId, string? Bed, ImmutableArray<string> Devices, DateTimeOffset? At);
