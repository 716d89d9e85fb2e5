namespace EdgeTwin.Drivers.Simulation;

/// <summary>
/// Noise as a pure function of (seed, channel, index) rather than a stateful <see cref="Random"/>:
/// a sample's value then does not depend on how the timer happened to chunk the work, so the same
/// seed gives the same samples however often the driver wakes.
/// </summary>
internal static class DeterministicNoise
{
    /// <summary>SplitMix64 finaliser over the three inputs: cheap, well mixed, stable across runtimes.</summary>
    public static ulong Hash(long seed, int channel, long index)
    {
        var x = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL ^ (ulong)channel * 0xC2B2AE3D27D4EB4FUL ^ (ulong)index * 0x165667B19E3779F9UL);
        x = unchecked((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL);
        x = unchecked((x ^ (x >> 27)) * 0x94D049BB133111EBUL);
        return x ^ (x >> 31);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public static double Uniform(long seed, int channel, long index) => (Hash(seed, channel, index) >> 11) * (1.0 / (1UL << 53));

    /// <summary>Standard normal (Box-Muller on two independent hashes).</summary>
    public static double Gaussian(long seed, int channel, long index)
    {
        var u1 = 1.0 - Uniform(seed, channel, index * 2);
        var u2 = Uniform(seed, channel, (index * 2) + 1);
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>
    /// Smooth noise of unit variance at the knots, changing over <paramref name="periodSeconds"/>:
    /// the slow physiological drift a real patient shows between two readings.
    /// </summary>
    public static double Smooth(long seed, int channel, double seconds, double periodSeconds)
    {
        var position = seconds / periodSeconds;
        var knot = (long)Math.Floor(position);
        var fraction = position - knot;
        var eased = fraction * fraction * (3 - (2 * fraction));
        var a = Gaussian(seed, channel, knot);
        var b = Gaussian(seed, channel, knot + 1);
        return a + ((b - a) * eased);
    }
}
