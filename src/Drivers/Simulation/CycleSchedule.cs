namespace EdgeTwin.Drivers.Simulation;

/// <summary>
/// A forward-only cursor over heartbeats (or breaths) whose rate follows the scenario: beat n+1
/// comes 60/rate(t_n) seconds after beat n, with seeded beat-to-beat variability. Every beat time is
/// a function of the seed and the rate curve only, so two cursors built alike agree beat for beat.
/// </summary>
internal sealed class CycleSchedule
{
    private readonly Func<double, double> _ratePerMinute;
    private readonly long _seed;
    private readonly int _channel;
    private readonly double _variability;
    private long _index;

    /// <param name="ratePerMinute">The rate at a time in seconds since the start.</param>
    /// <param name="variability">Relative standard deviation of one interval (heart-rate variability).</param>
    public CycleSchedule(Func<double, double> ratePerMinute, long seed, int channel, double variability)
    {
        _ratePerMinute = ratePerMinute;
        _seed = seed;
        _channel = channel;
        _variability = variability;

        // Beds must not beat in phase: the first cycle starts a seeded fraction of an interval before 0.
        var first = Interval(-1, 0);
        Current = -first * DeterministicNoise.Uniform(seed, channel, -7);
        Previous = Current - first;
        Next = Current + Interval(0, Current);
    }

    /// <summary>Start of the cycle before the current one.</summary>
    public double Previous { get; private set; }

    /// <summary>Start of the cycle containing the last queried time.</summary>
    public double Current { get; private set; }

    /// <summary>Start of the following cycle.</summary>
    public double Next { get; private set; }

    /// <summary>Moves the cursor so that <see cref="Current"/> &lt;= t &lt; <see cref="Next"/>; times must not go back.</summary>
    public void AdvanceTo(double seconds)
    {
        while (seconds >= Next)
        {
            _index++;
            Previous = Current;
            Current = Next;
            Next = Current + Interval(_index, Current);
        }
    }

    /// <summary>Where t lies in the current cycle, 0 at its start and 1 at the next.</summary>
    public double Phase(double seconds) => (seconds - Current) / (Next - Current);

    private double Interval(long index, double at)
    {
        var rate = Math.Clamp(_ratePerMinute(at), 4, 300);
        var jitter = 1 + (_variability * DeterministicNoise.Gaussian(_seed, _channel, index));
        return 60.0 / rate * Math.Clamp(jitter, 0.7, 1.3);
    }
}
