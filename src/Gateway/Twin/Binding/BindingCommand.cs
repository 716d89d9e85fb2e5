namespace EdgeTwin.Gateway.Twin.Binding;

using System.Collections.Immutable;
using EdgeTwin.Telemetry.Desired;

/// <summary>
/// Admit a patient to a bed and devices, transfer them to another bed or set of devices, or
/// discharge them, effective at <see cref="At"/>. <see cref="Patient"/> is already a pseudonym:
/// the clear hospital identifier stops at the edge of the twin. <see cref="IssuedAt"/> is the box's
/// clock when the command came (null: not known), which tells a stay that has not begun yet.
/// </summary>
internal sealed record BindingCommand(BindingAction Action, string Patient, string? Bed, ImmutableArray<string> Devices, DateTimeOffset At, DateTimeOffset? IssuedAt = null);
