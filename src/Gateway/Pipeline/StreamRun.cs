namespace EdgeTwin.Gateway.Pipeline;

using EdgeTwin.Drivers.Model;

/// <summary>
/// Samples of one stream of one device waiting to become one <c>obs</c> record: evenly spaced
/// from <see cref="T0"/> by <see cref="DtMs"/>, spanning at most <paramref name="spanMs"/> (one second
/// for plain records) and at most <paramref name="maxValues"/> samples.
/// </summary>
internal sealed class StreamRun(string deviceId, StreamCode stream, DateTimeOffset t0, long openedAt, double spanMs = 1000, int maxValues = StreamRun.MaxValues)
{
    /// <summary>Values per plain record: 64 KiB / ~25 characters per number, with room for the envelope.</summary>
    public const int MaxValues = 2400;

    /// <summary>Values per compact record: at most a few base64 characters each; a longer record is split anyway.</summary>
    public const int MaxCompactValues = 16384;

    public string DeviceId { get; } = deviceId;

    public StreamCode Stream { get; } = stream;

    public DateTimeOffset T0 { get; } = t0;

    public long OpenedAt { get; } = openedAt;

    public double DtMs { get; } = stream.NominalRateHz > 0 ? 1000.0 / stream.NominalRateHz : 0;

    public List<double?> Values { get; } = [];

    /// <summary>The patient the samples were attributed to at their own time (PROTOCOL §4 <c>patient</c>).</summary>
    public string? Patient { get; init; }

    /// <summary>Whether <paramref name="sample"/> continues this run (next on the time grid, within the span, under the size limit).</summary>
    public bool Accepts(in Sample sample)
    {
        if (Values.Count == 0)
        {
            return true;
        }

        if (DtMs <= 0 || Values.Count >= maxValues)
        {
            return false;
        }

        var expected = Values.Count * DtMs;
        if (expected >= spanMs)
        {
            return false;
        }

        var actual = (sample.Timestamp - T0).TotalMilliseconds;
        return Math.Abs(actual - expected) <= DtMs / 2;
    }

    public void Add(in Sample sample) =>
        Values.Add(sample.Value is { } v && double.IsFinite(v) ? v : null);
}
