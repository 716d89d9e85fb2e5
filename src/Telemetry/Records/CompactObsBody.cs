namespace EdgeTwin.Telemetry.Records;

/// <summary>
/// Body of an <c>obs-compact</c> record (docs/protocol.md §4, "Compact observations"): the runs of
/// several streams of one device for one patient, each delta-coded on its quantum.
/// </summary>
public sealed record CompactObsBody(string Patient, string Device, IReadOnlyList<CompactStream> Streams)
{
    public int SampleCount => Streams.Sum(s => s.Values.Count);
}
