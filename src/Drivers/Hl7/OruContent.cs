namespace EdgeTwin.Drivers.Hl7;

using EdgeTwin.Drivers.Model;

/// <summary>What an ORU^R01 yielded: samples (null values for invalid ones) and the OBX segments that gave none.</summary>
internal sealed record OruContent(IReadOnlyList<Sample> Samples, IReadOnlyList<SkippedObservation> Skipped, int ImplausibleCount);
