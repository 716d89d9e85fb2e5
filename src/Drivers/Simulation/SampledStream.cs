namespace EdgeTwin.Drivers.Simulation;

using EdgeTwin.Drivers.Model;
using EdgeTwin.Drivers.Scheduling;

/// <summary>
/// One stream on an exact sample grid: sample k is stamped start + k/rate, whatever the wake-up
/// jitter, so downstream runs are contiguous and <c>dt</c> is exact.
/// </summary>
internal sealed class SampledStream(StreamCode code, Func<long, double, double?> valueAt)
{
    public StreamCode Code { get; } = code;

    /// <summary>Index of the next sample to emit; <see cref="long.MaxValue"/> once the stream ended.</summary>
    public long Next { get; set; }

    public bool Ended => Next == long.MaxValue;

    public double SecondsOf(long index) => index / Code.NominalRateHz;

    public DateTimeOffset TimestampOf(DateTimeOffset start, long index) =>
        start + SampleGrid.Offset(index, Code.NominalRateHz);

    /// <summary>The value of sample <paramref name="index"/> at <paramref name="seconds"/> since start; null = invalid.</summary>
    public double? ValueAt(long index, double seconds) => valueAt(index, seconds);
}
