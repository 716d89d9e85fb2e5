namespace EdgeTwin.Gateway.Twin.Binding;

using System.Collections.Immutable;
using EdgeTwin.Telemetry.Desired;

/// <summary>
/// Admit a patient to a bed and devices, transfer them to another bed or set of devices, or
/// discharge them, effective at <see cref="At"/>. <see cref="Patient"/> is already a pseudonym:
/// the clear hospital identifier stops at the edge of the twin.
/// </summary>
internal sealed record BindingCommand(BindingAction Action, string Patient, string? Bed, ImmutableArray<string> Devices, DateTimeOffset At);
