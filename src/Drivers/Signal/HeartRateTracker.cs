namespace EdgeTwin.Drivers.Signal;

/// <summary>
/// Heart rate as a monitor shows it: beats counted over the last 10 s, so a premature beat and its
/// compensatory pause average out instead of making the number jump.
/// </summary>
internal sealed class HeartRateTracker
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private readonly Queue<double> _beats = new();

    public void AddBeat(double seconds) => _beats.Enqueue(seconds);

    /// <summary>Beats per minute at <paramref name="seconds"/>; null with fewer than two beats in the window (asystole, leads off).</summary>
    public double? RateAt(double seconds)
    {
        while (_beats.Count > 0 && _beats.Peek() < seconds - Window.TotalSeconds)
        {
            _beats.Dequeue();
        }

        if (_beats.Count < 2)
        {
            return null;
        }

        var first = _beats.Peek();
        var last = _beats.Last();
        return last > first ? 60.0 * (_beats.Count - 1) / (last - first) : null;
    }
}
