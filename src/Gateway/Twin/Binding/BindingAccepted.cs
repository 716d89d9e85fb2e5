namespace EdgeTwin.Gateway.Twin.Binding;

using System.Collections.Immutable;

/// <summary>The answer of an accepted <c>POST /twin/bindings</c>: the pseudonym the patient's data will carry, the bed and the devices.</summary>
internal sealed record BindingAccepted(bool Ok, string Patient, string? Bed, ImmutableArray<string> Devices);
