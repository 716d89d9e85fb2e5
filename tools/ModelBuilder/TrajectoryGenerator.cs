namespace EdgeTwin.ModelBuilder;

/// <summary>
/// Simulated patients for training, from a seeded <see cref="Random"/> (its seeded sequence is
/// stable across .NET versions, so a seed reproduces a data set). The physiology follows the
/// simulator's scenarios: a baseline with slow random drift, and a scenario that moves the vitals
/// from a random onset over a random duration with a random severity.
/// </summary>
internal static class TrajectoryGenerator
{
    public static Trajectory Generate(Scenario scenario, Random rng, int minutes)
    {
        var t = new Trajectory(scenario, minutes);
        var abnormalBaseline = scenario == Scenario.Stable && rng.NextDouble() < 0.25;
        double hr0 = Normal(rng, abnormalBaseline ? 95 : 76, 8), rr0 = Normal(rng, abnormalBaseline ? 19 : 15, 1.5);
        double spo20 = Math.Min(99.5, Normal(rng, abnormalBaseline ? 94.5 : 97, 1)), sbp0 = Normal(rng, abnormalBaseline ? 108 : 126, 10);
        double temp0 = Normal(rng, 36.9, 0.25);
        var onset = Uniform(rng, 20, 220);
        var duration = scenario switch
        {
            Scenario.Sepsis => Uniform(rng, 60, 180),
            Scenario.AcuteHypoxia => Uniform(rng, 5, 25),
            Scenario.Bradycardia => Uniform(rng, 10, 40),
            _ => 1,
        };
        var severity = Uniform(rng, 0.4, 1.3);
        var hypothermic = rng.NextDouble() < 0.15;
        double dHr = 0, dRr = 0, dSpo2 = 0, dSbp = 0, dTemp = 0;
        var sbpPhase = rng.Next(15);
        var tempPhase = rng.Next(30);
        for (var m = 0; m < minutes; m++)
        {
            // Slow physiological drift (Ornstein-Uhlenbeck): real patients are never flat lines.
            dHr = Drift(rng, dHr, 1.0);
            dRr = Drift(rng, dRr, 0.4);
            dSpo2 = Drift(rng, dSpo2, 0.2);
            dSbp = Drift(rng, dSbp, 1.0);
            dTemp = Drift(rng, dTemp, 0.02);
            var p = scenario is Scenario.Stable or Scenario.MotionArtefact ? 0 : SmoothStep((m - onset) / duration) * severity;
            double hr = hr0 + dHr, rr = rr0 + dRr, spo2 = spo20 + dSpo2, sbp = sbp0 + dSbp, temp = temp0 + dTemp;
            switch (scenario)
            {
                case Scenario.Sepsis:
                    hr += 45 * p;
                    rr += 12 * p;
                    sbp -= 45 * p;
                    temp += (hypothermic ? -1.6 : 2.2) * p;
                    spo2 -= 5 * p;
                    t.Consciousness[m] = p > 0.9 ? 1 : 0;
                    break;
                case Scenario.AcuteHypoxia:
                    spo2 -= 14 * p;
                    rr += 12 * p;
                    hr += 25 * p;
                    sbp += 10 * p;
                    break;
                case Scenario.Bradycardia:
                    hr -= Math.Max(0, hr0 - 36) * Math.Min(1, p);
                    sbp -= 25 * p;
                    break;
                default:
                    break;
            }

            t.True.HeartRate[m] = hr;
            t.True.RespirationRate[m] = Math.Max(4, rr);
            t.True.SpO2[m] = Math.Clamp(spo2, 50, 100);
            t.True.SystolicBp[m] = sbp;
            t.True.Temperature[m] = temp;
            Observe(t, m, rng, sbpPhase, tempPhase);
        }

        return t;
    }

    /// <summary>Minute means of a 1 Hz monitor, a cuff every 15 min, a thermometer every 30 min.</summary>
    private static void Observe(Trajectory t, int m, Random rng, int sbpPhase, int tempPhase)
    {
        var sensorOff = rng.NextDouble() < 0.02;
        t.Observed.HeartRate[m] = sensorOff ? double.NaN : Normal(rng, t.True.HeartRate[m], 1.0);
        t.Observed.RespirationRate[m] = sensorOff ? double.NaN : Math.Max(0, Normal(rng, t.True.RespirationRate[m], 0.7));
        t.Observed.SpO2[m] = sensorOff ? double.NaN : Math.Min(100, Normal(rng, t.True.SpO2[m], 0.5));
        t.Observed.SystolicBp[m] = m % 15 == sbpPhase ? Normal(rng, t.True.SystolicBp[m], 4) : double.NaN;
        t.Observed.Temperature[m] = m % 30 == tempPhase ? Normal(rng, t.True.Temperature[m], 0.1) : double.NaN;
        if (t.Scenario == Scenario.MotionArtefact && !sensorOff && rng.NextDouble() < 0.08)
        {
            // Movement corrupts the pleth: a false desaturation and a jumpy pulse, for a minute.
            t.Observed.SpO2[m] -= Uniform(rng, 3, 12);
            t.Observed.HeartRate[m] += Uniform(rng, 10, 40);
        }
    }

    private static double Drift(Random rng, double x, double sigma) => x - (0.1 * x) + Normal(rng, 0, sigma);

    private static double SmoothStep(double x) => x <= 0 ? 0 : x >= 1 ? 1 : x * x * (3 - (2 * x));

    private static double Uniform(Random rng, double low, double high) => low + ((high - low) * rng.NextDouble());

    private static double Normal(Random rng, double mean, double sd)
    {
        // Box-Muller; 1 - u keeps the logarithm finite.
        var u1 = 1.0 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return mean + (sd * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
    }
}
