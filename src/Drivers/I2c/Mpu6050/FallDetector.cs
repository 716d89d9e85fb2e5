namespace EdgeTwin.Drivers.I2c.Mpu6050;

/// <summary>
/// Threshold fall detection on the acceleration magnitude (after Bourke et al., Gait &amp; Posture
/// 26(2):194-199, 2007): free fall (below 0.4 g for at least 80 ms) followed within 1 s by an impact
/// above 2.5 g. Feed it samples in time order; it answers once per fall.
/// </summary>
internal sealed class FallDetector
{
    public const double FreeFallG = 0.4;
    public const double ImpactG = 2.5;
    private static readonly TimeSpan MinFreeFall = TimeSpan.FromMilliseconds(80);
    private static readonly TimeSpan ImpactWindow = TimeSpan.FromSeconds(1);

    private DateTimeOffset? _freeFallSince;
    private DateTimeOffset? _freeFallEnded;

    /// <summary>True when this sample is the impact that completes a fall.</summary>
    public bool Add(DateTimeOffset at, double magnitudeG)
    {
        if (magnitudeG < FreeFallG)
        {
            _freeFallSince ??= at;
            return false;
        }

        if (_freeFallSince is { } since)
        {
            _freeFallEnded = at - since >= MinFreeFall ? at : _freeFallEnded;
            _freeFallSince = null;
        }

        if (_freeFallEnded is { } ended && at - ended > ImpactWindow)
        {
            _freeFallEnded = null;
        }

        if (_freeFallEnded is not null && magnitudeG > ImpactG)
        {
            _freeFallEnded = null;
            return true;
        }

        return false;
    }
}
