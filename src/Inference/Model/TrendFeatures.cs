namespace EdgeTwin.Inference.Model;

using EdgeTwin.Inference.Vitals;

/// <summary>
/// The model's input: mean and slope of five vitals over recent per-minute means. The continuous
/// monitor streams (HR, RR, SpO2) use the last 30 minutes and need half of them covered; cuff
/// pressure and temperature are spot readings, so they use the whole history (60 minutes) and need
/// one reading. The heart rate and the respiration rate take each minute from the best source
/// that has one (<see cref="VitalStreams.PulseSources"/>, <see cref="VitalStreams.RespirationSources"/>,
/// the order NEWS2 prefers): the ECG heart rate's minute, else the oximeter's pulse rate's, else the
/// cuff's, so a spot-check monitor without ECG still feeds the model. ModelBuilder computes its
/// training features with this same code.
/// </summary>
public static class TrendFeatures
{
    public const int Count = 10;

    public const int ContinuousWindowMinutes = 30;

    public const int MinimumContinuousMinutes = 15;

    public static IReadOnlyList<string> Names { get; } =
    [
        "hr_mean", "hr_slope_per10min",
        "rr_mean", "rr_slope_per10min",
        "spo2_mean", "spo2_slope_per10min",
        "sbp_mean", "sbp_slope_per10min",
        "temp_mean", "temp_slope_per10min",
    ];

    private static readonly (IReadOnlyList<string> Codes, bool Continuous)[] Inputs =
    [
        (VitalStreams.PulseSources, true),
        (VitalStreams.RespirationSources, true),
        ([VitalStreams.SpO2], true),
        ([VitalStreams.SystolicBp], false),
        ([VitalStreams.Temperature], false),
    ];

    /// <summary>
    /// Fills <paramref name="destination"/> (length <see cref="Count"/>) for the window ending at
    /// <paramref name="now"/>; false with the reason when a stream has too little valid data.
    /// </summary>
    public static bool TryCompute(PatientVitals vitals, DateTimeOffset now, Span<float> destination, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(vitals);
        if (destination.Length != Count)
        {
            throw new ArgumentException($"destination must hold {Count} features", nameof(destination));
        }

        var end = MinuteBins.MinuteOf(now);
        lock (vitals.Gate)
        {
            for (var i = 0; i < Inputs.Length; i++)
            {
                var (codes, continuous) = Inputs[i];
                MinuteBins[] sources = [.. codes.Select(vitals.Stream).OfType<StreamState>().Select(s => s.Bins)];
                var code = string.Join(" / ", codes);
                if (sources.Length == 0)
                {
                    problem = $"no data for {code}";
                    return false;
                }

                var minutes = continuous ? ContinuousWindowMinutes : sources[0].Capacity;
                var needed = continuous ? MinimumContinuousMinutes : 1;
                if (!TryMeanAndSlope(sources, end, minutes, needed, out var mean, out var slope))
                {
                    problem = $"too little valid data for {code} in the last {minutes} min";
                    return false;
                }

                destination[2 * i] = (float)mean;
                destination[(2 * i) + 1] = (float)slope;
            }
        }

        problem = null;
        return true;
    }

    /// <summary>
    /// Least-squares slope over the minutes that have data, in units per 10 minutes; 0 from one
    /// point. Each minute is read from the first of <paramref name="sources"/> that has it.
    /// </summary>
    private static bool TryMeanAndSlope(MinuteBins[] sources, long endMinute, int minutes, int needed, out double mean, out double slopePer10)
    {
        double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (var m = endMinute - minutes + 1; m <= endMinute; m++)
        {
            if (sources.Select(b => b.MeanOf(m)).FirstOrDefault(v => v.HasValue) is not { } y)
            {
                continue;
            }

            double x = m - endMinute;
            n++;
            sx += x;
            sy += y;
            sxx += x * x;
            sxy += x * y;
        }

        mean = n > 0 ? sy / n : 0;
        var denominator = (n * sxx) - (sx * sx);
        slopePer10 = n >= 2 && denominator > 0 ? 10 * ((n * sxy) - (sx * sy)) / denominator : 0;
        return n >= needed;
    }
}
