namespace EdgeTwin.Bench.WholeSystem;

/// <summary>Latencies in 1 ms bins up to 10 minutes (longer ones in the last bin): exact counts, percentiles to the millisecond.</summary>
internal sealed class LatencyHistogram
{
    private readonly long[] _bins = new long[600_001];

    public long Count { get; private set; }

    public void Add(double ms, long count = 1)
    {
        _bins[(int)Math.Clamp(ms, 0, _bins.Length - 1)] += count;
        Count += count;
    }

    /// <summary>The latency (ms) below which a share <paramref name="p"/> of the counted ones fall; NaN when none.</summary>
    public double Percentile(double p)
    {
        if (Count == 0)
        {
            return double.NaN;
        }

        var rank = (long)Math.Ceiling(p * Count);
        long seen = 0;
        for (var i = 0; i < _bins.Length; i++)
        {
            seen += _bins[i];
            if (seen >= rank)
            {
                return i;
            }
        }

        return _bins.Length - 1;
    }
}
