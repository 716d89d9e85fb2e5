namespace EdgeTwin.Inference.Vitals;

/// <summary>
/// Ring of per-minute sums: a trend over an hour of 1 Hz samples costs a few hundred bytes per
/// stream instead of 3,600 samples, and the features do not depend on the sample rate.
/// </summary>
internal sealed class MinuteBins
{
    private readonly long[] _minute;
    private readonly double[] _sum;
    private readonly int[] _count;

    public MinuteBins(int minutes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minutes, 1);
        _minute = new long[minutes];
        Array.Fill(_minute, long.MinValue);
        _sum = new double[minutes];
        _count = new int[minutes];
    }

    public int Capacity => _minute.Length;

    public static long MinuteOf(DateTimeOffset at) => Math.DivRem(at.ToUnixTimeMilliseconds(), 60_000L) is var (q, r) && r < 0 ? q - 1 : q;

    public void Add(DateTimeOffset at, double value)
    {
        var minute = MinuteOf(at);
        var slot = (int)(((minute % _minute.Length) + _minute.Length) % _minute.Length);
        if (_minute[slot] != minute)
        {
            // Older than what the slot holds: beyond the history, dropped from the trend only.
            if (_minute[slot] > minute)
            {
                return;
            }

            _minute[slot] = minute;
            _sum[slot] = 0;
            _count[slot] = 0;
        }

        _sum[slot] += value;
        _count[slot]++;
    }

    /// <summary>Mean of minute <paramref name="minute"/>, or null when it has no valid sample.</summary>
    public double? MeanOf(long minute)
    {
        var slot = (int)(((minute % _minute.Length) + _minute.Length) % _minute.Length);
        return _minute[slot] == minute && _count[slot] > 0 ? _sum[slot] / _count[slot] : null;
    }
}
