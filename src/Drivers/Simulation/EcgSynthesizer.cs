namespace EdgeTwin.Drivers.Simulation;

/// <summary>
/// One ECG lead as a sum of Gaussian P, Q, R, S and T waves around each R peak, after McSharry et al.,
/// "A dynamical model for generating synthetic electrocardiogram signals", IEEE Trans Biomed Eng
/// 50(3):289-294, 2003. Their angular model is written here in time: QRS width is fixed while the
/// P and T offsets scale with the square root of the RR interval (Bazett), so QT shortens as HR rises.
/// </summary>
internal static class EcgSynthesizer
{
    // Offset from R (s at RR = 1 s), amplitude (mV), width (s), whether the offset scales with sqrt(RR).
    private static readonly (double Offset, double Amplitude, double Width, bool Scales)[] Waves =
    [
        (-0.17, 0.15, 0.025, true),   // P
        (-0.035, -0.12, 0.010, false), // Q
        (0.0, 1.20, 0.011, false),     // R
        (0.035, -0.30, 0.012, false),  // S
        (0.30, 0.32, 0.055, true),     // T
    ];

    /// <summary>
    /// The lead-II voltage at <paramref name="seconds"/>, given the cursor's R peaks around it.
    /// The previous beat contributes its T wave tail and the next its P wave.
    /// </summary>
    public static double Value(double seconds, CycleSchedule beats)
    {
        var rr = beats.Next - beats.Current;
        return Beat(seconds - beats.Previous, beats.Current - beats.Previous)
            + Beat(seconds - beats.Current, rr)
            + Beat(seconds - beats.Next, rr);
    }

    private static double Beat(double sinceR, double rr)
    {
        var scale = Math.Sqrt(Math.Clamp(rr, 0.25, 2.5));
        var sum = 0.0;
        foreach (var (offset, amplitude, width, scales) in Waves)
        {
            var centre = scales ? offset * scale : offset;
            var z = (sinceR - centre) / (scales ? width * scale : width);
            if (Math.Abs(z) < 6)
            {
                sum += amplitude * Math.Exp(-0.5 * z * z);
            }
        }

        return sum;
    }
}
