namespace EdgeTwin.Inference.Tests.News2;

using EdgeTwin.Inference.News2;

/// <summary>Every band edge of the RCP 2017 NEWS2 chart, both sides.</summary>
public class News2ChartTests
{
    [Theory]
    [InlineData(0, 3)]
    [InlineData(8, 3)]
    [InlineData(9, 1)]
    [InlineData(11, 1)]
    [InlineData(12, 0)]
    [InlineData(20, 0)]
    [InlineData(21, 2)]
    [InlineData(24, 2)]
    [InlineData(25, 3)]
    [InlineData(60, 3)]
    public void RespirationRate_BandEdges(double rate, int score) => Assert.Equal(score, News2Chart.RespirationRate(rate));

    [Theory]
    [InlineData(70, 3)]
    [InlineData(91, 3)]
    [InlineData(92, 2)]
    [InlineData(93, 2)]
    [InlineData(94, 1)]
    [InlineData(95, 1)]
    [InlineData(96, 0)]
    [InlineData(100, 0)]
    public void SpO2Scale1_BandEdges(double spo2, int score) => Assert.Equal(score, News2Chart.SpO2Scale1(spo2));

    [Theory]
    [InlineData(83, false, 3)]
    [InlineData(84, false, 2)]
    [InlineData(85, false, 2)]
    [InlineData(86, false, 1)]
    [InlineData(87, false, 1)]
    [InlineData(88, false, 0)]
    [InlineData(92, false, 0)]
    [InlineData(93, false, 0)]
    [InlineData(97, false, 0)]
    [InlineData(100, false, 0)]
    [InlineData(83, true, 3)]
    [InlineData(84, true, 2)]
    [InlineData(86, true, 1)]
    [InlineData(88, true, 0)]
    [InlineData(92, true, 0)]
    [InlineData(93, true, 1)]
    [InlineData(94, true, 1)]
    [InlineData(95, true, 2)]
    [InlineData(96, true, 2)]
    [InlineData(97, true, 3)]
    [InlineData(100, true, 3)]
    public void SpO2Scale2_BandEdges_OnAirAndOnOxygen(double spo2, bool onOxygen, int score) =>
        Assert.Equal(score, News2Chart.SpO2Scale2(spo2, onOxygen));

    [Theory]
    [InlineData(false, 0)]
    [InlineData(true, 2)]
    public void SupplementalOxygen_ScoresTwo(bool onOxygen, int score) => Assert.Equal(score, News2Chart.SupplementalOxygen(onOxygen));

    [Theory]
    [InlineData(60, 3)]
    [InlineData(90, 3)]
    [InlineData(91, 2)]
    [InlineData(100, 2)]
    [InlineData(101, 1)]
    [InlineData(110, 1)]
    [InlineData(111, 0)]
    [InlineData(219, 0)]
    [InlineData(220, 3)]
    public void SystolicBp_BandEdges(double sbp, int score) => Assert.Equal(score, News2Chart.SystolicBp(sbp));

    [Theory]
    [InlineData(30, 3)]
    [InlineData(40, 3)]
    [InlineData(41, 1)]
    [InlineData(50, 1)]
    [InlineData(51, 0)]
    [InlineData(90, 0)]
    [InlineData(91, 1)]
    [InlineData(110, 1)]
    [InlineData(111, 2)]
    [InlineData(130, 2)]
    [InlineData(131, 3)]
    public void Pulse_BandEdges(double pulse, int score) => Assert.Equal(score, News2Chart.Pulse(pulse));

    [Theory]
    [InlineData(Acvpu.Alert, 0)]
    [InlineData(Acvpu.NewConfusion, 3)]
    [InlineData(Acvpu.Voice, 3)]
    [InlineData(Acvpu.Pain, 3)]
    [InlineData(Acvpu.Unresponsive, 3)]
    public void Consciousness_AnythingButAlertScoresThree(Acvpu level, int score) => Assert.Equal(score, News2Chart.Consciousness(level));

    [Theory]
    [InlineData(34.0, 3)]
    [InlineData(35.0, 3)]
    [InlineData(35.1, 1)]
    [InlineData(36.0, 1)]
    [InlineData(36.1, 0)]
    [InlineData(38.0, 0)]
    [InlineData(38.1, 1)]
    [InlineData(39.0, 1)]
    [InlineData(39.1, 2)]
    [InlineData(41.0, 2)]
    public void Temperature_BandEdges(double celsius, int score) => Assert.Equal(score, News2Chart.Temperature(celsius));

    [Theory]
    [InlineData(20.4, 0)]
    [InlineData(20.5, 2)]
    [InlineData(8.49, 3)]
    [InlineData(8.5, 1)]
    public void RespirationRate_FractionsRoundHalfAwayFromZero(double rate, int score) => Assert.Equal(score, News2Chart.RespirationRate(rate));

    [Theory]
    [InlineData(35.04, 3)]
    [InlineData(35.05, 1)]
    [InlineData(38.04, 0)]
    [InlineData(38.05, 1)]
    public void Temperature_RoundsToTenths(double celsius, int score) => Assert.Equal(score, News2Chart.Temperature(celsius));

    [Theory]
    [InlineData(0, false, News2RiskBand.Low)]
    [InlineData(4, false, News2RiskBand.Low)]
    [InlineData(3, true, News2RiskBand.LowMedium)]
    [InlineData(4, true, News2RiskBand.LowMedium)]
    [InlineData(5, false, News2RiskBand.Medium)]
    [InlineData(5, true, News2RiskBand.Medium)]
    [InlineData(6, true, News2RiskBand.Medium)]
    [InlineData(7, false, News2RiskBand.High)]
    [InlineData(7, true, News2RiskBand.High)]
    [InlineData(20, true, News2RiskBand.High)]
    public void Band_AggregateEdgesAndRedScore(int aggregate, bool red, News2RiskBand band) => Assert.Equal(band, News2Chart.Band(aggregate, red));
}
