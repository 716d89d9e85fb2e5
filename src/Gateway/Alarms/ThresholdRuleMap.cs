namespace EdgeTwin.Gateway.Alarms;

using EdgeTwin.Inference.Alarms;
using EdgeTwin.Telemetry.Desired;

/// <summary>
/// Which alarm rule limit each twin threshold (<see cref="ThresholdCatalog"/>) sets, spelled out:
/// a catalog name is never matched to a rule by guessing. A limit keeps the rule's meaning
/// (alarm when the value is below a low limit or above a high one) and the rule keeps its
/// hysteresis and priority. <see cref="Problems"/> runs at start, so a twin threshold no rule
/// carries fails the gateway instead of being accepted and ignored.
/// </summary>
internal static class ThresholdRuleMap
{
    public static IReadOnlyList<Link> Links { get; } =
    [
        new("spo2Low", "spo2-low", IsLow: true),
        new("hrLow", "hr-low", IsLow: true),
        new("hrHigh", "hr-high", IsLow: false),
        new("rrLow", "rr-low", IsLow: true),
        new("rrHigh", "rr-high", IsLow: false),
        new("tempLow", "temp-low", IsLow: true),
        new("tempHigh", "temp-high", IsLow: false),
        new("sysBpLow", "sbp-low", IsLow: true),
        new("sysBpHigh", "sbp-high", IsLow: false),
    ];

    /// <summary>Why <paramref name="rules"/> cannot carry every twin threshold; empty when they can.</summary>
    public static IReadOnlyList<string> Problems(IReadOnlyList<ThresholdRule> rules)
    {
        var problems = new List<string>();
        foreach (var name in ThresholdCatalog.Names)
        {
            var link = Links.FirstOrDefault(l => string.Equals(l.Name, name, StringComparison.Ordinal));
            var rule = link is null ? null : rules.FirstOrDefault(r => string.Equals(r.Condition, link.Condition, StringComparison.Ordinal));
            var limit = link is null || rule is null ? null : link.Limit(rule);
            var problem = link is null ? $"twin threshold {name} maps to no alarm rule"
                : rule is null ? $"twin threshold {name} needs alarm rule {link.Condition} in Inference:Alarms:Thresholds"
                : limit is not { } value ? $"alarm rule {link.Condition} has no {link.Side} limit for twin threshold {name}"
                : ThresholdCatalog.Check(name, value) is not null ? $"alarm rule {link.Condition} {link.Side} {value} is outside the range of twin threshold {name}"
                : null;
            if (problem is not null)
            {
                problems.Add(problem);
            }
        }

        if (problems.Count == 0 && ThresholdCatalog.CheckConsistent(Read(rules)) is { } inconsistent)
        {
            problems.Add($"alarm rules give twin thresholds that are {inconsistent}");
        }

        return problems;
    }

    /// <summary>The twin thresholds <paramref name="rules"/> carry (checked by <see cref="Problems"/>).</summary>
    public static AlarmThresholds Read(IReadOnlyList<ThresholdRule> rules) =>
        Links.Aggregate(AlarmThresholds.Default, (thresholds, link) =>
            ThresholdCatalog.With(thresholds, link.Name, link.Limit(rules.Single(r => string.Equals(r.Condition, link.Condition, StringComparison.Ordinal))) ?? throw Missing(link)));

    /// <summary>Sets each linked limit of <paramref name="rules"/> (copies) to <paramref name="thresholds"/>; returns what changed.</summary>
    public static IReadOnlyList<LimitChange> Write(IReadOnlyList<ThresholdRule> rules, AlarmThresholds thresholds)
    {
        var changes = new List<LimitChange>();
        foreach (var link in Links)
        {
            var rule = rules.Single(r => string.Equals(r.Condition, link.Condition, StringComparison.Ordinal));
            var before = link.Limit(rule) ?? throw Missing(link);
            var after = ThresholdCatalog.Get(thresholds, link.Name);
            if (before != after)
            {
                if (link.IsLow)
                {
                    rule.Below = after;
                }
                else
                {
                    rule.Above = after;
                }

                changes.Add(new LimitChange(link, before, after));
            }
        }

        return changes;
    }

    private static InvalidOperationException Missing(Link link) => new($"alarm rule {link.Condition} has no {link.Side} limit for twin threshold {link.Name}");

    internal sealed record Link(string Name, string Condition, bool IsLow)
    {
        public string Side => IsLow ? "Below" : "Above";

        public double? Limit(ThresholdRule rule) => IsLow ? rule.Below : rule.Above;
    }

    internal sealed record LimitChange(Link Link, double Before, double After);
}
