namespace EdgeTwin.Drivers.Simulation;

/// <summary>
/// A photoplethysmogram pulse per heartbeat: a systolic peak and a smaller diastolic (reflected)
/// wave after the dicrotic notch, arriving a pulse transit time after the R peak. Output is a
/// normalised {ratio} around 0.5, the way monitors display pleth.
/// </summary>
internal static class PlethSynthesizer
{
    /// <summary>R peak to pulse foot at the finger, typical for an adult.</summary>
    public const double PulseTransitSeconds = 0.22;

    /// <param name="beats">A cursor over the same beats as the ECG, advanced to t minus the transit time.</param>
    public static double Value(double seconds, CycleSchedule beats)
    {
        var t = seconds - PulseTransitSeconds;
        var rr = beats.Next - beats.Current;
        return 0.2 + (0.6 * (Pulse(t - beats.Previous, rr) + Pulse(t - beats.Current, rr)));
    }

    private static double Pulse(double sinceFoot, double rr)
    {
        if (sinceFoot < -0.1 || sinceFoot > 1.6)
        {
            return 0;
        }

        var scale = Math.Sqrt(Math.Clamp(rr, 0.25, 2.5));
        var systolic = Gauss(sinceFoot, 0.13, 0.055);
        var diastolic = 0.38 * Gauss(sinceFoot, 0.36 * scale, 0.09 * scale);
        return systolic + diastolic;
    }

    private static double Gauss(double x, double centre, double width)
    {
        var z = (x - centre) / width;
        return Math.Exp(-0.5 * z * z);
    }
}
