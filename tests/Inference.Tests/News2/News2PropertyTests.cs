namespace EdgeTwin.Inference.Tests.News2;

using EdgeTwin.Inference.News2;
using EdgeTwin.Inference.Vitals;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;
using static EdgeTwin.Inference.Tests.VitalFixture;

/// <summary>
/// NEWS2 over random whole-number vitals, against the RCP 2017 chart written here as rows of
/// (lowest, highest, score): a second, independent reading of the chart, not the scorer's switches.
/// </summary>
public sealed class News2PropertyTests
{
    private static readonly (int Low, int High, int Score)[] RespirationRows = [(0, 8, 3), (9, 11, 1), (12, 20, 0), (21, 24, 2), (25, 99, 3)];
    private static readonly (int Low, int High, int Score)[] Scale1Rows = [(0, 91, 3), (92, 93, 2), (94, 95, 1), (96, 100, 0)];
    private static readonly (int Low, int High, int Score)[] Scale2AirRows = [(0, 83, 3), (84, 85, 2), (86, 87, 1), (88, 100, 0)];
    private static readonly (int Low, int High, int Score)[] Scale2OxygenRows = [(0, 83, 3), (84, 85, 2), (86, 87, 1), (88, 92, 0), (93, 94, 1), (95, 96, 2), (97, 100, 3)];
    private static readonly (int Low, int High, int Score)[] SystolicRows = [(0, 90, 3), (91, 100, 2), (101, 110, 1), (111, 219, 0), (220, 300, 3)];
    private static readonly (int Low, int High, int Score)[] PulseRows = [(0, 40, 3), (41, 50, 1), (51, 90, 0), (91, 110, 1), (111, 130, 2), (131, 250, 3)];
    private static readonly (int Low, int High, int Score)[] TenthsOfDegreeRows = [(250, 350, 3), (351, 360, 1), (361, 380, 0), (381, 390, 1), (391, 450, 2)];

    [Property(MaxTest = 500)]
    public bool Aggregate_IsTheSumOfTheChartsParameterScores_AndTheBandFollows(byte rrPick, byte spo2Pick, bool oxygen, ushort sbpPick, byte hrPick, bool alert, ushort tempPick)
    {
        var rr = rrPick % 60;
        var spo2 = 70 + (spo2Pick % 31);
        var sbp = 60 + (sbpPick % 200);
        var hr = 25 + (hrPick % 200);
        var tenths = 330 + (tempPick % 110);
        var vitals = new PatientVitals("p1");
        Feed(vitals, Start, rr, spo2, oxygen, sbp, hr, alert ? 0 : 3, tenths / 10.0);

        var result = new News2Scorer(new News2Options(), new FakeTimeProvider(Start)).Score(vitals);

        int[] expected = [Row(RespirationRows, rr), Row(Scale1Rows, spo2), oxygen ? 2 : 0, Row(SystolicRows, sbp), Row(PulseRows, hr), alert ? 0 : 3, Row(TenthsOfDegreeRows, tenths)];
        var aggregate = expected.Sum();
        var red = expected.Any(s => s == 3);
        var band = aggregate >= 7 ? News2RiskBand.High : aggregate >= 5 ? News2RiskBand.Medium : red ? News2RiskBand.LowMedium : News2RiskBand.Low;
        return result.Complete && result.Aggregate == aggregate && result.Aggregate == result.Scores.Values.Sum() && result.RedScore == red && result.Band == band;
    }

    [Property(MaxTest = 300)]
    public bool Scale2_ScoresHighSaturationsOnlyOnOxygen(byte spo2Pick, bool oxygen)
    {
        var spo2 = 70 + (spo2Pick % 31);
        var vitals = new PatientVitals("p1") { Hypercapnic = true };
        Feed(vitals, Start, 16, spo2, oxygen, 130, 70, 0, 37.0);

        var result = new News2Scorer(new News2Options(), new FakeTimeProvider(Start)).Score(vitals);

        var expected = Row(oxygen ? Scale2OxygenRows : Scale2AirRows, spo2);
        return result.ScaleTwo && result.Scores[News2Parameter.SpO2] == expected;
    }

    private static int Row((int Low, int High, int Score)[] rows, int value) => rows.Single(r => value >= r.Low && value <= r.High).Score;
}
