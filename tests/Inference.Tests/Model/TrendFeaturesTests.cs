namespace EdgeTwin.Inference.Tests.Model;

using EdgeTwin.Inference.Model;
using EdgeTwin.Inference.Vitals;
using static EdgeTwin.Inference.Tests.VitalFixture;

public class TrendFeaturesTests
{
    [Fact]
    public void TryCompute_LinearRamps_GiveMeanAndSlopePerTenMinutes()
    {
        var vitals = new PatientVitals("p1");
        var now = Ramp(vitals, minutes: 60);

        var features = new float[TrendFeatures.Count];
        Assert.True(TrendFeatures.TryCompute(vitals, now, features, out var problem), problem);

        // HR rises 1/min over the last 30 min (minutes 30..59: values 100..129)
        Assert.Equal(114.5f, features[0], 3);
        Assert.Equal(10f, features[1], 3);

        // SpO2 falls 0.1/min: -1 per 10 min
        Assert.Equal(-1f, features[5], 3);

        // cuff pressure every 15 min over the whole hour, falling 1/min
        Assert.Equal(-10f, features[7], 3);
    }

    [Fact]
    public void TryCompute_TooFewContinuousMinutes_SaysWhichStream()
    {
        var vitals = new PatientVitals("p1");
        var now = Ramp(vitals, minutes: 10);

        Assert.False(TrendFeatures.TryCompute(vitals, now, new float[TrendFeatures.Count], out var problem));
        Assert.Contains(VitalStreams.HeartRate, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void TryCompute_NoTemperatureEver_Fails()
    {
        var vitals = new PatientVitals("p1");
        for (var m = 0; m < 40; m++)
        {
            var at = Start.AddMinutes(m);
            vitals.Observe(At(Hr, at, 80));
            vitals.Observe(At(Rr, at, 16));
            vitals.Observe(At(Spo2, at, 97));
            vitals.Observe(At(Sbp, at, 120));
        }

        Assert.False(TrendFeatures.TryCompute(vitals, Start.AddMinutes(40), new float[TrendFeatures.Count], out var problem));
        Assert.Equal($"no data for {VitalStreams.Temperature}", problem);
    }

    [Fact]
    public void TryCompute_NoEcg_TakesEachMinuteFromTheBestSourceThatHasIt()
    {
        // Oximeter pulse rate 100 and pleth respiration rate 20 all hour; the ECG heart rate (60)
        // only in the last 15 minutes; no monitor respiration rate at all.
        var vitals = new PatientVitals("p1");
        for (var m = 0; m < 60; m++)
        {
            var at = Start.AddMinutes(m);
            vitals.Observe(At(PulseOximeter, at, 100));
            vitals.Observe(At(RrPleth, at, 20));
            vitals.Observe(At(Spo2, at, 97));
            if (m >= 45)
            {
                vitals.Observe(At(Hr, at, 60));
            }
        }

        vitals.Observe(At(Sbp, Start, 120));
        vitals.Observe(At(Temp, Start, 37));
        var features = new float[TrendFeatures.Count];

        Assert.True(TrendFeatures.TryCompute(vitals, Start.AddMinutes(59).AddSeconds(59), features, out var problem), problem);
        Assert.Equal(80f, features[0], 3);  // minutes 30-44 from the oximeter (100), 45-59 from the ECG (60)
        Assert.Equal((20f, 0f), (features[2], features[3]));
    }

    [Fact]
    public void TryCompute_WrongDestinationLength_Throws() =>
        Assert.Throws<ArgumentException>(() => TrendFeatures.TryCompute(new PatientVitals("p1"), Start, new float[3], out _));

    /// <summary>HR 70 + m, SpO2 98 - 0.1 m, RR 16, SBP 130 - m every 15 min, temperature 37 every 30 min.</summary>
    internal static DateTimeOffset Ramp(PatientVitals vitals, int minutes)
    {
        for (var m = 0; m < minutes; m++)
        {
            for (var s = 0; s < 60; s += 10)
            {
                var at = Start.AddMinutes(m).AddSeconds(s);
                vitals.Observe(At(Hr, at, 70 + m));
                vitals.Observe(At(Rr, at, 16));
                vitals.Observe(At(Spo2, at, 98 - (0.1 * m)));
            }

            if (m % 15 == 0)
            {
                vitals.Observe(At(Sbp, Start.AddMinutes(m), 130 - m));
            }

            if (m % 30 == 0)
            {
                vitals.Observe(At(Temp, Start.AddMinutes(m), 37));
            }
        }

        return Start.AddMinutes(minutes - 1).AddSeconds(59);
    }
}
