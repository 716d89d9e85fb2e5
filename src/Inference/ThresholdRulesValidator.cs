namespace EdgeTwin.Inference;

using Microsoft.Extensions.Options;

/// <summary>What annotations cannot say about threshold rules: a limit is set, limits are ordered, ids are unique.</summary>
internal sealed class ThresholdRulesValidator : IValidateOptions<InferenceOptions>
{
    public ValidateOptionsResult Validate(string? name, InferenceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var rules = options.Alarms.EffectiveThresholds();
        var problems = rules.Select(r => r.Problem()).OfType<string>()
            .Concat(rules.GroupBy(r => r.Condition, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => $"threshold condition {g.Key} is defined twice"))
            .ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
