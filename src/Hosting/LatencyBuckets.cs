namespace EdgeTwin.Hosting;

using System.Diagnostics.Metrics;

/// <summary>
/// Bucket boundaries for histograms of durations in seconds. Without advice an exporter uses its
/// defaults (OpenTelemetry: 0, 5, 10, 25, ... 10,000), made for milliseconds: every commit, PUBACK or
/// ACK time in seconds falls in the first bucket and no percentile can be read from <c>/metrics</c>.
/// These run from 1 ms to 2 minutes, about three per decade.
/// </summary>
public static class LatencyBuckets
{
    public static IReadOnlyList<double> Boundaries { get; } =
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

    public static InstrumentAdvice<double> Seconds { get; } = new() { HistogramBucketBoundaries = Boundaries };
}
