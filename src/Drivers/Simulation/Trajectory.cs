namespace EdgeTwin.Drivers.Simulation;

/// <summary>Smooth transitions between physiological states (a step would look like a device fault).</summary>
internal static class Trajectory
{
    /// <summary>0 before <paramref name="from"/>, 1 after <paramref name="to"/>, smoothstep in between.</summary>
    public static double Progress(double seconds, double from, double to)
    {
        if (seconds <= from)
        {
            return 0;
        }

        if (seconds >= to)
        {
            return 1;
        }

        var x = (seconds - from) / (to - from);
        return x * x * (3 - (2 * x));
    }

    public static double Lerp(double a, double b, double progress) => a + ((b - a) * progress);
}
