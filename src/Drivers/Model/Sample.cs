namespace EdgeTwin.Drivers.Model;

/// <summary>
/// One measured value of one stream of one device. <see cref="Value"/> is null for an invalid
/// sample (sensor off, artefact, implausible reading): it is kept and published as <c>null</c>,
/// never silently dropped.
/// </summary>
public readonly record struct Sample(string DeviceId, StreamCode Stream, DateTimeOffset Timestamp, double? Value)
{
    public bool IsValid => Value.HasValue;
}
