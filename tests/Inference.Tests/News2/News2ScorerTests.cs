namespace EdgeTwin.Inference.Tests.News2;

using EdgeTwin.Inference.News2;
using EdgeTwin.Inference.Vitals;
using Microsoft.Extensions.Time.Testing;
using static EdgeTwin.Inference.Tests.VitalFixture;

public class News2ScorerTests
{
    private readonly FakeTimeProvider _time = new(Start);
    private readonly News2Scorer _scorer;

    public News2ScorerTests() => _scorer = new News2Scorer(new News2Options(), _time);

    [Fact]
    public void Score_HealthyAdult_IsCompleteZeroLow()
    {
        var vitals = new PatientVitals("p1");
        Feed(vitals, Start, rr: 14, spo2: 98, oxygen: false, sbp: 125, hr: 72, acvpu: 0, temp: 36.8);

        var result = _scorer.Score(vitals);

        Assert.True(result.Complete);
        Assert.Equal(0, result.Aggregate);
        Assert.False(result.RedScore);
        Assert.Equal(News2RiskBand.Low, result.Band);
        Assert.Equal(7, result.Scores.Count);
    }

    [Fact]
    public void Score_SepticPicture_SumsEveryParameterToHigh()
    {
        var vitals = new PatientVitals("p1");
        Feed(vitals, Start, rr: 24, spo2: 93, oxygen: true, sbp: 98, hr: 118, acvpu: 0, temp: 38.6);

        var result = _scorer.Score(vitals);

        // RR 2 + SpO2 2 + O2 2 + SBP 2 + pulse 2 + alert 0 + temperature 1
        Assert.Equal(11, result.Aggregate);
        Assert.Equal(News2RiskBand.High, result.Band);
        Assert.Equal(2, result.Scores[News2Parameter.SupplementalOxygen]);
        Assert.Equal(1, result.Scores[News2Parameter.Temperature]);
    }

    [Fact]
    public void Score_SingleRedParameterWithLowAggregate_IsLowMedium()
    {
        var vitals = new PatientVitals("p1");
        Feed(vitals, Start, rr: 14, spo2: 98, oxygen: false, sbp: 125, hr: 72, acvpu: 2, temp: 36.8);

        var result = _scorer.Score(vitals);

        Assert.Equal(3, result.Aggregate);
        Assert.True(result.RedScore);
        Assert.Equal(News2RiskBand.LowMedium, result.Band);
    }

    [Fact]
    public void Score_HypercapnicPatient_UsesScale2()
    {
        var vitals = new PatientVitals("p1") { Hypercapnic = true };
        Feed(vitals, Start, rr: 14, spo2: 89, oxygen: false, sbp: 125, hr: 72, acvpu: 0, temp: 36.8);
        var onScale2 = _scorer.Score(vitals);
        vitals.Hypercapnic = false;
        var onScale1 = _scorer.Score(vitals);

        Assert.True(onScale2.ScaleTwo);
        Assert.Equal(0, onScale2.Scores[News2Parameter.SpO2]);
        Assert.Equal(3, onScale1.Scores[News2Parameter.SpO2]);
    }

    [Fact]
    public void Score_HypercapnicOnOxygenAt97_ScoresThreeForSpO2()
    {
        var vitals = new PatientVitals("p1") { Hypercapnic = true };
        Feed(vitals, Start, rr: 14, spo2: 97, oxygen: true, sbp: 125, hr: 72, acvpu: 0, temp: 36.8);

        var result = _scorer.Score(vitals);

        Assert.Equal(3, result.Scores[News2Parameter.SpO2]);
        Assert.Equal(5, result.Aggregate);
    }

    [Fact]
    public void Score_PulseOlderThanMaxAge_IsIncompleteAndNamesIt()
    {
        var vitals = new PatientVitals("p1");
        Feed(vitals, Start, rr: 14, spo2: 98, oxygen: false, sbp: 125, hr: 150, acvpu: 0, temp: 36.8);
        _time.Advance(TimeSpan.FromMinutes(4));
        vitals.Observe(At(Rr, _time.GetUtcNow(), 14));
        vitals.Observe(At(Spo2, _time.GetUtcNow(), 98));
        _time.Advance(TimeSpan.FromMinutes(2));
        vitals.Observe(At(Rr, _time.GetUtcNow(), 14));
        vitals.Observe(At(Spo2, _time.GetUtcNow(), 98));

        var result = _scorer.Score(vitals);

        Assert.False(result.Complete);
        var missing = Assert.Single(result.Missing);
        Assert.Equal(News2Parameter.Pulse, missing.Parameter);
        Assert.Equal(MissingReason.Stale, missing.Reason);
        Assert.Equal(Start, missing.LastValidAt);
        Assert.False(result.Scores.ContainsKey(News2Parameter.Pulse));
        Assert.Equal(0, result.Aggregate);
    }

    [Fact]
    public void Score_ExactlyAtMaxAge_StillScores()
    {
        var vitals = new PatientVitals("p1");
        Feed(vitals, Start, rr: 14, spo2: 98, oxygen: false, sbp: 125, hr: 72, acvpu: 0, temp: 36.8);
        _time.Advance(TimeSpan.FromMinutes(5));

        Assert.True(_scorer.Score(vitals).Complete);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(
            [News2Parameter.RespirationRate, News2Parameter.SpO2, News2Parameter.Pulse],
            _scorer.Score(vitals).Missing.Select(m => m.Parameter));
    }

    [Fact]
    public void Score_LatestSampleInvalid_DoesNotFallBackToEarlierValue()
    {
        var vitals = new PatientVitals("p1");
        Feed(vitals, Start, rr: 14, spo2: 98, oxygen: false, sbp: 125, hr: 72, acvpu: 0, temp: 36.8);
        vitals.Observe(At(Spo2, Start.AddSeconds(1), null));

        var result = _scorer.Score(vitals);

        var missing = Assert.Single(result.Missing);
        Assert.Equal(News2Parameter.SpO2, missing.Parameter);
        Assert.Equal(MissingReason.Invalid, missing.Reason);
    }

    [Theory]
    [InlineData(150.0)]
    [InlineData(-3.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Score_ImplausibleSpO2_CountsAsInvalid(double value)
    {
        var vitals = new PatientVitals("p1");
        Feed(vitals, Start, rr: 14, spo2: 98, oxygen: false, sbp: 125, hr: 72, acvpu: 0, temp: 36.8);
        vitals.Observe(At(Spo2, Start.AddSeconds(1), value));

        var missing = Assert.Single(_scorer.Score(vitals).Missing);
        Assert.Equal(MissingReason.Invalid, missing.Reason);
    }

    [Fact]
    public void Score_NonIntegerAcvpu_CountsAsInvalid()
    {
        var vitals = new PatientVitals("p1");
        Feed(vitals, Start, rr: 14, spo2: 98, oxygen: false, sbp: 125, hr: 72, acvpu: 0, temp: 36.8);
        vitals.Observe(At(Consciousness, Start.AddSeconds(1), 1.5));

        Assert.Equal(News2Parameter.Consciousness, Assert.Single(_scorer.Score(vitals).Missing).Parameter);
    }

    [Fact]
    public void Score_NoSamplesAtAll_ListsEveryParameterAsNoData()
    {
        var result = _scorer.Score(new PatientVitals("p1"));

        Assert.Equal(7, result.Missing.Count);
        Assert.All(result.Missing, m => Assert.Equal(MissingReason.NoData, m.Reason));
        Assert.Equal(0, result.Aggregate);
    }

    [Fact]
    public void Score_IncompleteButAlreadySevenOrMore_IsHighAsLowerBound()
    {
        var vitals = new PatientVitals("p1");
        vitals.Observe(At(Rr, Start, 28));
        vitals.Observe(At(Spo2, Start, 88));
        vitals.Observe(At(Hr, Start, 125));

        var result = _scorer.Score(vitals);

        Assert.False(result.Complete);
        Assert.Equal(8, result.Aggregate);
        Assert.Equal(News2RiskBand.High, result.Band);
    }

    [Fact]
    public void Score_LateSampleOlderThanLatest_DoesNotReplaceIt()
    {
        var vitals = new PatientVitals("p1");
        Feed(vitals, Start, rr: 14, spo2: 98, oxygen: false, sbp: 125, hr: 72, acvpu: 0, temp: 36.8);
        vitals.Observe(At(Hr, Start.AddSeconds(-30), 150));

        Assert.Equal(0, _scorer.Score(vitals).Scores[News2Parameter.Pulse]);
    }

    [Fact]
    public void Observe_WaveformSample_IsNotTracked()
    {
        var vitals = new PatientVitals("p1");

        Assert.False(vitals.Observe(At(Ecg, Start, 0.4)));
        Assert.True(vitals.Observe(At(Hr, Start, 70)));
    }
}
