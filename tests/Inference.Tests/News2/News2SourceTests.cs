namespace EdgeTwin.Inference.Tests.News2;

using EdgeTwin.Drivers.Model;
using EdgeTwin.Inference.News2;
using EdgeTwin.Inference.Vitals;
using Microsoft.Extensions.Time.Testing;
using static EdgeTwin.Inference.Tests.VitalFixture;

/// <summary>
/// The pulse and the respiration rate from several sources: the ECG heart rate when fresh, else
/// the oximeter's pulse rate, else the cuff's; capnography before impedance before the pleth. The
/// result says which stream it read.
/// </summary>
public class News2SourceTests
{
    private readonly FakeTimeProvider _time = new(Start);
    private readonly News2Scorer _scorer;

    public News2SourceTests() => _scorer = new News2Scorer(new News2Options(), _time);

    /// <summary>Everything but the pulse and the respiration rate, at <paramref name="at"/>: scores 0.</summary>
    private static PatientVitals Others(DateTimeOffset at)
    {
        var vitals = new PatientVitals("p1");
        vitals.Observe(At(Spo2, at, 98));
        vitals.Observe(At(Oxygen, at, 0));
        vitals.Observe(At(Sbp, at, 125));
        vitals.Observe(At(Consciousness, at, 0));
        vitals.Observe(At(Temp, at, 36.8));
        vitals.Observe(At(Rr, at, 14));
        return vitals;
    }

    /// <summary><see cref="Others"/>, an ECG heart rate of 72 (pulse scores 0) and an oximeter pulse rate of 118 (scores 2).</summary>
    private static PatientVitals EcgAndOximeter()
    {
        var vitals = Others(Start);
        vitals.Observe(At(Hr, Start, 72));
        vitals.Observe(At(PulseOximeter, Start, 118));
        return vitals;
    }

    [Fact]
    public void Pulse_EcgFresh_IsUsed_OverTheOximeter()
    {
        var vitals = EcgAndOximeter();

        var result = _scorer.Score(vitals);

        Assert.Equal(0, result.Scores[News2Parameter.Pulse]);
        Assert.Equal("loinc:8867-4", result.Sources[News2Parameter.Pulse]);
    }

    [Fact]
    public void Pulse_EcgLeadsOff_GivesWayToTheOximeter_AndSaysSo()
    {
        var vitals = EcgAndOximeter();
        vitals.Observe(At(Hr, Start.AddSeconds(1), null));
        vitals.Observe(At(PulseOximeter, Start.AddSeconds(1), 118));
        _time.Advance(TimeSpan.FromSeconds(1));

        var result = _scorer.Score(vitals);

        Assert.True(result.Complete);
        Assert.Equal(2, result.Scores[News2Parameter.Pulse]);
        Assert.Equal("loinc:8889-8", result.Sources[News2Parameter.Pulse]);
    }

    [Fact]
    public void Pulse_EcgSilentLongerThanFreshness_GivesWayToAFreshOximeter()
    {
        var vitals = Others(Start);
        vitals.Observe(At(Hr, Start, 72));
        vitals.Observe(At(PulseOximeter, Start.AddSeconds(61), 118));
        _time.Advance(TimeSpan.FromSeconds(61));

        Assert.Equal("loinc:8889-8", _scorer.Score(vitals).Sources[News2Parameter.Pulse]);
    }

    [Fact]
    public void Pulse_NoSourceFresh_TheBestWithinMaxAgeIsUsed()
    {
        var vitals = Others(Start);
        vitals.Observe(At(Hr, Start, 72));
        vitals.Observe(At(PulseOximeter, Start.AddSeconds(30), 118));
        _time.Advance(TimeSpan.FromMinutes(2));

        var result = _scorer.Score(vitals);

        Assert.Equal("loinc:8867-4", result.Sources[News2Parameter.Pulse]);
        Assert.Equal(0, result.Scores[News2Parameter.Pulse]);
    }

    [Fact]
    public void Pulse_SpotCheckWithoutEcg_TakesTheOximeterOverTheCuff_ThenTheCuff()
    {
        var vitals = Others(Start);
        vitals.Observe(At(PulseCuff, Start, 112));
        Assert.Equal(("loinc:76477-9", 2), (_scorer.Score(vitals).Sources[News2Parameter.Pulse], _scorer.Score(vitals).Scores[News2Parameter.Pulse]));

        vitals.Observe(At(PulseOximeter, Start, 96));
        var result = _scorer.Score(vitals);

        Assert.True(result.Complete);
        Assert.Equal(("loinc:8889-8", 1), (result.Sources[News2Parameter.Pulse], result.Scores[News2Parameter.Pulse]));
    }

    [Fact]
    public void Pulse_EcgLeadsOff_AndNoOtherSource_IsMissingAsInvalid()
    {
        var vitals = Others(Start);
        vitals.Observe(At(Hr, Start, 72));
        vitals.Observe(At(Hr, Start.AddSeconds(1), null));

        var result = _scorer.Score(vitals);

        var missing = Assert.Single(result.Missing);
        Assert.Equal((News2Parameter.Pulse, MissingReason.Invalid, (DateTimeOffset?)Start), (missing.Parameter, missing.Reason, missing.LastValidAt));
        Assert.False(result.Sources.ContainsKey(News2Parameter.Pulse));
    }

    [Theory]
    [InlineData(new[] { "loinc:9279-1", "loinc:76172-6", "loinc:76174-2" }, "loinc:76172-6", 12)]
    [InlineData(new[] { "loinc:76174-2", "loinc:9279-1" }, "loinc:9279-1", 19)]
    [InlineData(new[] { "loinc:76170-0", "loinc:76174-2" }, "loinc:76170-0", 17)]
    [InlineData(new[] { "loinc:76174-2" }, "loinc:76174-2", 13)]
    [InlineData(new[] { "loinc:76171-8", "loinc:9279-1" }, "loinc:76171-8", 15)]
    public void RespirationRate_BestSourcePresent_IsUsed_AndNamed(string[] present, string used, double value)
    {
        var rates = new Dictionary<string, double>
        {
            ["loinc:76172-6"] = 12, ["loinc:76174-2"] = 13, ["loinc:76171-8"] = 15, ["loinc:76170-0"] = 17, ["loinc:9279-1"] = 19,
        };
        var vitals = new PatientVitals("p1");
        foreach (var code in present)
        {
            Assert.True(StreamCodes.TryFind(code, out var stream));
            vitals.Observe(At(stream, Start, rates[code]));
        }

        var result = _scorer.Score(vitals);

        Assert.Equal(used, result.Sources[News2Parameter.RespirationRate]);
        Assert.Equal(News2Chart.RespirationRate(value), result.Scores[News2Parameter.RespirationRate]);
    }

    [Fact]
    public void Sources_NameEveryScoredParameter_AndOnlyThose()
    {
        var vitals = new PatientVitals("p1");
        vitals.Observe(At(Spo2, Start, 95));
        vitals.Observe(At(PulseOximeter, Start, 96));
        vitals.Observe(At(Temp, Start, 38.4));

        var result = _scorer.Score(vitals);

        Assert.Equal(
            new Dictionary<string, string> { ["spo2"] = "loinc:59408-5", ["pulse"] = "loinc:8889-8", ["temperature"] = "loinc:8310-5" },
            News2Wire.Sources(result));
    }
}
