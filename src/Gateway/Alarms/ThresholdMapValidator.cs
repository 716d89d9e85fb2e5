namespace EdgeTwin.Gateway.Alarms;

using EdgeTwin.Inference;
using Microsoft.Extensions.Options;

/// <summary>At start: the configured alarm rules carry every twin threshold (<see cref="ThresholdRuleMap.Problems"/>).</summary>
internal sealed class ThresholdMapValidator : IValidateOptions<InferenceOptions>
{
    public ValidateOptionsResult Validate(string? name, InferenceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = ThresholdRuleMap.Problems(options.Alarms.Thresholds ?? [.. Inference.Alarms.AlarmOptions.DefaultThresholds]);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
