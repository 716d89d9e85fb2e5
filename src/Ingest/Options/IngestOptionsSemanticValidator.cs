namespace EdgeTwin.Ingest.Options;

using System.Text.RegularExpressions;
using EdgeTwin.Mqtt;
using EdgeTwin.Telemetry.Wire;
using Microsoft.Extensions.Options;

/// <summary>Checks that need parsing: broker address and transport, storage spec, enrolment entries.</summary>
internal sealed partial class IngestOptionsSemanticValidator : IValidateOptions<IngestOptions>
{
    public ValidateOptionsResult Validate(string? name, IngestOptions options)
    {
        var failures = new List<string>();
        failures.AddRange(BrokerTransport.Check(IngestOptions.Section, options.Broker, options));

        if (!StorageSpec.TryParse(options.Storage, out _, out var storageProblem))
        {
            failures.Add(storageProblem!);
        }

        foreach (var (gw, address) in options.Enrolled)
        {
            if (!WireNames.IsName(gw))
            {
                failures.Add($"Ingest:Enrolled:{gw}: a gateway name is {WireNames.NameRule}.");
            }

            if (!Address().IsMatch(address ?? string.Empty))
            {
                failures.Add($"Ingest:Enrolled:{gw}: '{address}' is not an address (0x + 40 hex digits).");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^0[xX][0-9a-fA-F]{40}$")]
    private static partial Regex Address();
}
