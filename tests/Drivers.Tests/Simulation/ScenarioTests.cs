namespace EdgeTwin.Drivers.Tests.Simulation;

using EdgeTwin.Drivers.Model;
using EdgeTwin.Drivers.Simulation;
using EdgeTwin.Drivers.Simulation.Scenarios;
using EdgeTwin.Drivers.Tests.Support;

public class ScenarioTests
{
    private static readonly SimulatedBedSettings VitalsOnly = SimulatedBedSettings.Default with { EcgRateHz = 0, PlethRateHz = 0 };

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(99)]
    [InlineData(123456)]
    public void AcuteHypoxia_CrossesNews2Of7_WithinAMinute_AndStays(long seed)
    {
        var vitals = SimRun.VitalsBySecond(SimRun.Generate("acute-hypoxia", seed, TimeSpan.FromSeconds(120), VitalsOnly));

        var scores = vitals.OrderBy(v => v.Key).Select(v => (Second: (v.Key - SimRun.Start).TotalSeconds, Score: SimRun.News2At(v.Value))).ToList();
        Assert.All(scores.Where(s => s.Second <= 5), s => Assert.True(s.Score <= 3, $"t={s.Second}: {s.Score}"));
        var first = scores.First(s => s.Score >= 7);
        Assert.InRange(first.Second, 10, 60);
        Assert.All(scores.Where(s => s.Second >= 40), s => Assert.True(s.Score >= 7, $"t={s.Second}: {s.Score}"));
    }

    [Fact]
    public void Stable_ScoresLow_Throughout()
    {
        var vitals = SimRun.VitalsBySecond(SimRun.Generate("stable", 5, TimeSpan.FromMinutes(30), VitalsOnly));

        Assert.All(vitals.Values, v => Assert.InRange(SimRun.News2At(v), 0, 2));
        Assert.InRange(vitals.Values.Average(v => v[StreamCodes.HeartRate.Code]!.Value), 68, 76);
    }

    [Fact]
    public void Sepsis_DeterioratesOverHours()
    {
        var samples = SimRun.Generate("sepsis", 11, TimeSpan.FromHours(4.5), VitalsOnly, TimeSpan.FromMinutes(1));
        double Mean(StreamCode code, double fromHour, double toHour) => samples
            .Where(s => s.Stream == code && (s.Timestamp - SimRun.Start).TotalHours >= fromHour && (s.Timestamp - SimRun.Start).TotalHours < toHour)
            .Average(s => s.Value!.Value);

        Assert.InRange(Mean(StreamCodes.HeartRate, 0, 0.15), 70, 82);
        Assert.InRange(Mean(StreamCodes.HeartRate, 4.3, 4.5), 120, 136);
        Assert.InRange(Mean(StreamCodes.BodyTemperature, 4.3, 4.5), 39.0, 39.8);
        Assert.InRange(Mean(StreamCodes.SystolicBp, 4.3, 4.5), 80, 92);
        Assert.InRange(Mean(StreamCodes.RespiratoryRate, 4.3, 4.5), 24, 30);
        Assert.True(Mean(StreamCodes.HeartRate, 1, 2) < Mean(StreamCodes.HeartRate, 2, 3));
        Assert.True(Mean(StreamCodes.HeartRate, 2, 3) < Mean(StreamCodes.HeartRate, 3, 4));
        Assert.Equal(1, samples.Last(s => s.Stream == StreamCodes.Consciousness).Value);
        Assert.Equal(0, samples.First(s => s.Stream == StreamCodes.Consciousness).Value);
    }

    [Fact]
    public void Speed60_PlaysFourHoursOfSepsisInFourMinutes()
    {
        var samples = SimRun.Generate("sepsis", 11, TimeSpan.FromMinutes(4.6), VitalsOnly with { Speed = 60 });
        var lastMinute = samples.Where(s => s.Stream == StreamCodes.HeartRate && (s.Timestamp - SimRun.Start).TotalMinutes >= 4.4).ToList();

        Assert.InRange(lastMinute.Average(s => s.Value!.Value), 120, 136);
        Assert.Equal(277, samples.Count(s => s.Stream == StreamCodes.HeartRate));
    }

    [Fact]
    public void Bradycardia_SlowsTheHeartBelow42()
    {
        var samples = SimRun.Generate("bradycardia", 3, TimeSpan.FromSeconds(200), VitalsOnly);
        var hr = samples.Where(s => s.Stream == StreamCodes.HeartRate).ToList();

        Assert.All(hr.Where(s => (s.Timestamp - SimRun.Start).TotalSeconds < 25), s => Assert.InRange(s.Value!.Value, 58, 80));
        Assert.All(hr.Where(s => (s.Timestamp - SimRun.Start).TotalSeconds >= 160), s => Assert.InRange(s.Value!.Value, 30, 44));
    }

    [Fact]
    public void MotionArtefact_DipsSpO2Implausibly_AndDisturbsThePleth()
    {
        const long seed = 8;
        var samples = SimRun.Generate("motion-artefact", seed, TimeSpan.FromSeconds(180));
        bool InEpisode(Sample s) => MotionArtefactScenario.InEpisode((s.Timestamp - SimRun.Start).TotalSeconds, seed);

        var spo2 = samples.Where(s => s.Stream == StreamCodes.SpO2).ToList();
        Assert.Contains(spo2, InEpisode);
        Assert.All(spo2.Where(InEpisode), s => Assert.InRange(s.Value!.Value, 70, 84));
        Assert.All(spo2.Where(s => !InEpisode(s)), s => Assert.InRange(s.Value!.Value, 95, 100));

        // A dip of more than 10 points from one second to the next: no physiology does that.
        Assert.Contains(spo2.Zip(spo2.Skip(1)), p => p.First.Value - p.Second.Value > 10);

        var pleth = samples.Where(s => s.Stream.Code == StreamCodes.Pleth.Code).ToList();
        static double Spread(IEnumerable<Sample> s)
        {
            var v = s.Select(x => x.Value!.Value).ToList();
            var mean = v.Average();
            return Math.Sqrt(v.Average(x => (x - mean) * (x - mean)));
        }

        Assert.True(Spread(pleth.Where(InEpisode)) > 1.5 * Spread(pleth.Where(s => !InEpisode(s))));
    }

    [Fact]
    public void SensorOff_InvalidatesProbeStreams_ThenEndsEverything()
    {
        var samples = SimRun.Generate("sensor-off", 4, TimeSpan.FromSeconds(90));
        double Second(Sample s) => (s.Timestamp - SimRun.Start).TotalSeconds;

        var spo2 = samples.Where(s => s.Stream == StreamCodes.SpO2).ToList();
        Assert.All(spo2.Where(s => Second(s) < 30), s => Assert.True(s.IsValid));
        Assert.All(spo2.Where(s => Second(s) >= 30), s => Assert.False(s.IsValid));
        Assert.All(samples.Where(s => s.Stream.Code == StreamCodes.Pleth.Code && Second(s) >= 30), s => Assert.Null(s.Value));
        Assert.All(samples.Where(s => s.Stream == StreamCodes.HeartRate), s => Assert.True(s.IsValid));

        // Lost at 60 s: nothing at or after it, for every stream.
        Assert.DoesNotContain(samples, s => Second(s) >= 60);
        Assert.Equal(60, spo2.Count);
    }

    [Fact]
    public void UnknownScenario_IsRejectedWithTheKnownNames()
    {
        var error = Assert.Throws<ArgumentException>(() => ScenarioCatalog.Find("septic-shock"));
        Assert.Contains("acute-hypoxia", error.Message, StringComparison.Ordinal);
    }
}
