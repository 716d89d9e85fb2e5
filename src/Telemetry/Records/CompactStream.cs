namespace EdgeTwin.Telemetry.Records;

using EdgeTwin.Telemetry.Compact;

/// <summary>
/// One run of one stream inside an <c>obs-compact</c> record: samples from <see cref="T0"/> every
/// <see cref="Dt"/> ms, each written as an integer number of <see cref="Q"/> (null: an invalid sample).
/// </summary>
public sealed record CompactStream(string Code, string Unit, Quantum Q, DateTimeOffset T0, double Dt, IReadOnlyList<double?> Values);
