namespace EdgeTwin.Gateway.Alarms;

using EdgeTwin.Gateway.Twin;
using EdgeTwin.Gateway.Twin.Desired;
using EdgeTwin.Inference.Alarms;
using Microsoft.Extensions.Logging;

/// <summary>
/// Puts the twin's alarm thresholds in force in the alarm manager at once (through
/// <see cref="ThresholdRuleMap"/>), and gives the twin the configured rules' limits as its local
/// thresholds. Each changed limit is logged; the twin records the change in the chain.
/// </summary>
internal sealed class AlarmThresholdsTarget(AlarmManager alarms, ILogger<AlarmThresholdsTarget> logger) : IDesiredSettingsTarget, ILocalConfigurationSource
{
    public TwinConfiguration AddTo(TwinConfiguration local) => local with { Thresholds = ThresholdRuleMap.Read(alarms.Thresholds) };

    public void Apply(TwinConfiguration configuration)
    {
        var rules = alarms.Thresholds;
        var changes = ThresholdRuleMap.Write(rules, configuration.Thresholds);
        if (changes.Count == 0)
        {
            return;
        }

        alarms.SetThresholds(rules);
        foreach (var change in changes)
        {
            AlarmLog.LimitChanged(logger, change.Link.Condition, change.Link.Side, change.After, change.Before, change.Link.Name);
        }
    }
}
