namespace EdgeTwin.Gateway.Twin;

using EdgeTwin.Telemetry.Desired;
using EdgeTwin.Telemetry.Signing;
using Microsoft.Extensions.Options;

/// <summary>Fails the start on a twin configuration that cannot be right.</summary>
internal sealed class TwinOptionsValidator : IValidateOptions<TwinOptions>
{
    public ValidateOptionsResult Validate(string? name, TwinOptions options)
    {
        var failures = new List<string>();
        if (options.ReportInterval < TimeSpan.FromMilliseconds(100) || options.ReportInterval > TimeSpan.FromHours(1))
        {
            failures.Add($"Twin:ReportInterval must be between 00:00:00.1 and 01:00:00, got {options.ReportInterval}");
        }

        if (options.BindingRetention < TimeSpan.Zero)
        {
            failures.Add("Twin:BindingRetention must not be negative");
        }

        if (options.MaxClockSkew < TimeSpan.Zero || options.MaxClockSkew > TimeSpan.FromHours(1))
        {
            failures.Add($"Twin:MaxClockSkew must be between 00:00:00 and 01:00:00, got {options.MaxClockSkew}");
        }

        foreach (var address in options.OperatorAddresses)
        {
            if (!Eip191.IsAddress(address))
            {
                failures.Add($"Twin:OperatorAddresses: '{address}' is not 0x followed by 40 hex digits");
            }
        }

        foreach (var streamClass in options.DefaultConsent)
        {
            if (!StreamClassNames.TryParse(streamClass, out _))
            {
                failures.Add($"Twin:DefaultConsent: unknown stream class '{streamClass}' (vitals, waveforms, location, alarms)");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
