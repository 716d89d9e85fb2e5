namespace EdgeTwin.Gateway.Pipeline;

using EdgeTwin.Gateway.Configuration;
using Microsoft.Extensions.Options;

/// <summary>Ranges (source-generated) and the <c>Quanta</c> entries: each <c>code=quantum</c> must read.</summary>
internal sealed class RecorderOptionsValidator : IValidateOptions<RecorderOptions>
{
    public ValidateOptionsResult Validate(string? name, RecorderOptions options)
    {
        var ranges = new RecorderOptionsRangeValidator().Validate(name, options);
        if (ranges.Failed)
        {
            return ranges;
        }

        return QuantumTable.TryBuild(options.Quanta, out _, out var error) ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail($"Recorder:Quanta: {error}");
    }
}

/// <summary>Source-generated DataAnnotations validation of <see cref="RecorderOptions"/>.</summary>
[OptionsValidator]
internal sealed partial class RecorderOptionsRangeValidator : IValidateOptions<RecorderOptions>;
