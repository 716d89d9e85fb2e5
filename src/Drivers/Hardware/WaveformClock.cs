namespace EdgeTwin.Drivers.Hardware;

using EdgeTwin.Drivers.Scheduling;

/// <summary>
/// Stamps samples a chip buffered (a FIFO) on a grid at its nominal rate, anchored so the newest
/// sample of the first read lands on the read time. The chip's oscillator drifts against the box's
/// clock; past one second of disagreement the grid is re-anchored.
/// </summary>
internal sealed class WaveformClock(DateTimeOffset now, int firstCount, double rateHz)
{
    private static readonly TimeSpan MaxDrift = TimeSpan.FromSeconds(1);

    private readonly DateTimeOffset _anchor = now - TimeSpan.FromSeconds((firstCount - 1) / rateHz);
    private long _index;

    public DateTimeOffset Next() => At(_index++);

    /// <summary>True when <paramref name="count"/> more samples would end further than a second from now.</summary>
    public bool Drifted(DateTimeOffset now, int count) => (At(_index + count - 1) - now).Duration() > MaxDrift;

    private DateTimeOffset At(long index) => _anchor + SampleGrid.Offset(index, rateHz);
}
