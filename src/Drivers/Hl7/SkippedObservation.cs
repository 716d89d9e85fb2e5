namespace EdgeTwin.Drivers.Hl7;

/// <summary>An OBX that gave no sample, and why (logged and counted, never silently dropped).</summary>
internal sealed record SkippedObservation(int SetId, string Identifier, string Reason);
