namespace EdgeTwin.Drivers.Hl7;

using EdgeTwin.Drivers.Model;

/// <summary>A sample read from one OBX, before the channels of its stream are sorted out (<see cref="Channels"/>).</summary>
internal sealed record ObservationCandidate(int SetId, string Identifier, string SubId, Sample Sample, bool Implausible);
