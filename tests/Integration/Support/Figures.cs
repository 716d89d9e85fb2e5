namespace EdgeTwin.Integration.Tests.Support;

using Microsoft.Extensions.Diagnostics.Metrics.Testing;

/// <summary>
/// Reading a host's own instruments: a <see cref="MetricCollector{T}"/> made with the host's
/// <c>IMeterFactory</c> sees that host's meter only. An in-process host's <c>/metrics</c> is no good for
/// that while another host of the same kind runs in the test process: OpenTelemetry takes every meter of
/// a name, merges instruments of one name into one stream (the other host's counts show in this one's),
/// and ends the stream when the other host's meter is disposed (the figure then disappears).
/// </summary>
internal static class Figures
{
    /// <summary>What a counter counted since the collector was made, with the given <c>outcome</c> tag or all of it.</summary>
    public static long Counted(this MetricCollector<long> counter, string? outcome = null) =>
        counter.GetMeasurementSnapshot().Where(m => outcome is null || Equals(m.Tags.GetValueOrDefault("outcome"), outcome)).Sum(m => m.Value);

    /// <summary>An observable instrument's value now (null: it reported none).</summary>
    public static long? Observed(this MetricCollector<long> instrument)
    {
        instrument.RecordObservableInstruments();
        return instrument.LastMeasurement?.Value;
    }
}
