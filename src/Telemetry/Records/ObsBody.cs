namespace EdgeTwin.Telemetry.Records;

/// <summary>
/// Body of an <c>obs</c> record (PROTOCOL §4): one run of samples of one stream of one device.
/// A null (or non-finite) value is written as JSON <c>null</c>: an invalid sample.
/// </summary>
public sealed record ObsBody(
    string Patient,
    string Device,
    string Code,
    string Unit,
    DateTimeOffset T0,
    double Dt,
    IReadOnlyList<double?> Values);
