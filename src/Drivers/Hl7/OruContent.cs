namespace EdgeTwin.Drivers.Hl7;

using EdgeTwin.Drivers.Model;

/// <summary>
/// What an ORU^R01 yielded: samples (null values for invalid ones), the OBX segments that gave none
/// and why, the rows that describe the device hierarchy, and the OBX taken although their reference
/// id disagreed with their code.
/// </summary>
internal sealed record OruContent(
    IReadOnlyList<Sample> Samples,
    IReadOnlyList<SkippedObservation> Skipped,
    int ImplausibleCount,
    int DescriptionRows,
    IReadOnlyList<ReferenceIdDisagreement> Disagreements);
