namespace EdgeTwin.ModelBuilder;

using EdgeTwin.Drivers.Model;
using EdgeTwin.Inference.Model;
using EdgeTwin.Inference.News2;
using EdgeTwin.Inference.Vitals;

/// <summary>
/// Cuts trajectories into examples. Features come from <see cref="PatientVitals"/> and
/// <see cref="TrendFeatures"/>, the very code the gateway runs; the label is whether the true
/// NEWS2 (the chart of <see cref="News2Chart"/>) reaches 5 or more in the hour after the window.
/// </summary>
internal static class WindowDataset
{
    public const int HorizonMinutes = 60;
    public const int StrideMinutes = 5;

    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly StreamCode Hr = new(VitalStreams.HeartRate, "/min", StreamKind.Vital, 1, "Heart rate");
    private static readonly StreamCode Rr = new(VitalStreams.RespirationRate, "/min", StreamKind.Vital, 1, "Respiration rate");
    private static readonly StreamCode Spo2 = new(VitalStreams.SpO2, "%", StreamKind.Vital, 1, "SpO2");
    private static readonly StreamCode Sbp = new(VitalStreams.SystolicBp, "mm[Hg]", StreamKind.Vital, 0, "Systolic BP");
    private static readonly StreamCode Temp = new(VitalStreams.Temperature, "Cel", StreamKind.Vital, 0, "Temperature");

    public static List<WindowExample> Build(IEnumerable<Trajectory> trajectories)
    {
        var rows = new List<WindowExample>();
        foreach (var t in trajectories)
        {
            var news2 = Enumerable.Range(0, t.Minutes).Select(m => TrueNews2(t, m)).ToArray();
            var vitals = new PatientVitals("sim");
            var features = new float[TrendFeatures.Count];
            for (var m = 0; m < t.Minutes - HorizonMinutes; m++)
            {
                var at = Start.AddMinutes(m).AddSeconds(30);
                Feed(vitals, Hr, at, t.Observed.HeartRate[m]);
                Feed(vitals, Rr, at, t.Observed.RespirationRate[m]);
                Feed(vitals, Spo2, at, t.Observed.SpO2[m]);
                Feed(vitals, Sbp, at, t.Observed.SystolicBp[m]);
                Feed(vitals, Temp, at, t.Observed.Temperature[m]);
                if (m < PatientVitals.DefaultHistoryMinutes || m % StrideMinutes != 0)
                {
                    continue;
                }

                if (!TrendFeatures.TryCompute(vitals, Start.AddMinutes(m).AddSeconds(59), features, out _))
                {
                    continue;
                }

                var future = news2.AsSpan(m + 1, HorizonMinutes);
                var worst = 0;
                foreach (var score in future)
                {
                    worst = Math.Max(worst, score);
                }

                rows.Add(new WindowExample { Features = [.. features], Label = worst >= 5, Scenario = t.Scenario, News2Now = news2[m] });
            }
        }

        return rows;
    }

    private static void Feed(PatientVitals vitals, StreamCode code, DateTimeOffset at, double value)
    {
        if (!double.IsNaN(value))
        {
            vitals.Observe(new Sample("sim-monitor", code, at, value));
        }
    }

    /// <summary>NEWS2 of the true physiology; the simulated patients breathe air.</summary>
    private static int TrueNews2(Trajectory t, int m) =>
        News2Chart.RespirationRate(t.True.RespirationRate[m]) +
        News2Chart.SpO2Scale1(t.True.SpO2[m]) +
        News2Chart.SupplementalOxygen(false) +
        News2Chart.SystolicBp(t.True.SystolicBp[m]) +
        News2Chart.Pulse(t.True.HeartRate[m]) +
        News2Chart.Consciousness((Acvpu)t.Consciousness[m]) +
        News2Chart.Temperature(t.True.Temperature[m]);
}
