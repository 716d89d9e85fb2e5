namespace EdgeTwin.Gateway.Tests.Alarms;

using EdgeTwin.Gateway.Alarms;
using EdgeTwin.Inference.Alarms;
using EdgeTwin.Telemetry.Desired;

public class ThresholdRuleMapTests
{
    [Fact]
    public void EveryTwinThreshold_MapsToOneDefaultRuleLimit()
    {
        Assert.Equal(ThresholdCatalog.Names.Order(StringComparer.Ordinal), ThresholdRuleMap.Links.Select(l => l.Name).Order(StringComparer.Ordinal));
        Assert.Equal(ThresholdRuleMap.Links.Count, ThresholdRuleMap.Links.Select(l => l.Condition).Distinct(StringComparer.Ordinal).Count());
        Assert.Empty(ThresholdRuleMap.Problems(Defaults()));
    }

    [Fact]
    public void Read_DefaultRules_GivesTheirLimits()
    {
        Assert.Equal(
            new AlarmThresholds(Spo2Low: 90, HrLow: 40, HrHigh: 140, RrLow: 8, RrHigh: 30, TempLow: 35.0, TempHigh: 39.0, SysBpLow: 90, SysBpHigh: 220),
            ThresholdRuleMap.Read(Defaults()));
    }

    [Fact]
    public void Write_SetsOnlyTheLinkedSideAndReportsWhatChanged()
    {
        var rules = Defaults();
        var changes = ThresholdRuleMap.Write(rules, ThresholdRuleMap.Read(rules) with { Spo2Low = 86, HrHigh = 150 });

        Assert.Equal([("spo2-low", 90d, 86d), ("hr-high", 140d, 150d)], changes.Select(c => (c.Link.Condition, c.Before, c.After)));
        var spo2 = rules.Single(r => r.Condition == "spo2-low");
        Assert.Equal((86d, (double?)null, 2d, AlarmPriority.Medium), (spo2.Below!.Value, spo2.Above, spo2.Hysteresis, spo2.Priority));
        Assert.Equal(150, rules.Single(r => r.Condition == "hr-high").Above);
        Assert.Equal(85, rules.Single(r => r.Condition == "spo2-critical").Below);
    }

    [Theory]
    [InlineData("temp-low", "twin threshold tempLow needs alarm rule temp-low in Inference:Alarms:Thresholds")]
    [InlineData("hr-high-side", "alarm rule hr-high has no Above limit for twin threshold hrHigh")]
    [InlineData("range", "alarm rule spo2-low Below 40 is outside the range of twin threshold spo2Low")]
    [InlineData("inconsistent", "alarm rules give twin thresholds that are inconsistent:hrLow>=hrHigh")]
    public void Problems_RulesThatCannotCarryTheTwinThresholds_AreNamed(string change, string message)
    {
        var rules = Defaults();
        switch (change)
        {
            case "temp-low":
                rules.RemoveAll(r => r.Condition == "temp-low");
                break;
            case "hr-high-side":
                var hrHigh = rules.Single(r => r.Condition == "hr-high");
                (hrHigh.Above, hrHigh.Below) = (null, 30);
                break;
            case "range":
                rules.Single(r => r.Condition == "spo2-low").Below = 40;
                break;
            default:
                rules.Single(r => r.Condition == "hr-low").Below = 100;
                rules.Single(r => r.Condition == "hr-high").Above = 90;
                break;
        }

        Assert.Equal([message], ThresholdRuleMap.Problems(rules));
    }

    private static List<ThresholdRule> Defaults() => [.. AlarmOptions.DefaultThresholds.Select(r => r.Clone())];
}
