namespace EdgeTwin.Drivers.Scheduling;

/// <summary>
/// Where sample k of a stream lies: k/rate after the start. Whole seconds are counted in integers so
/// that weeks of 500 Hz data stay on the grid to the tick (a double holds k x 10^7 exactly only to
/// about 10 days at 250 Hz).
/// </summary>
internal static class SampleGrid
{
    public static TimeSpan Offset(long index, double rateHz)
    {
        var whole = Math.Floor(rateHz);
        if (whole == rateHz && whole >= 1)
        {
            var perSecond = (long)whole;
            var seconds = index / perSecond;
            var rest = index % perSecond;
            return TimeSpan.FromTicks((seconds * TimeSpan.TicksPerSecond) + (long)Math.Round(rest * (double)TimeSpan.TicksPerSecond / perSecond));
        }

        return TimeSpan.FromTicks((long)Math.Round(index * TimeSpan.TicksPerSecond / rateHz));
    }
}
