namespace EdgeTwin.Gateway.Pairing;

using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

/// <summary>Fails the start on pairing settings that cannot be right (exit 78, naming the key).</summary>
internal sealed partial class PairingOptionsValidator : IValidateOptions<PairingOptions>
{
    public ValidateOptionsResult Validate(string? name, PairingOptions options)
    {
        var failures = new List<string>();
        if (!AdapterPattern().IsMatch(options.Adapter))
        {
            failures.Add($"Pairing:Adapter '{options.Adapter}' is not an adapter name like hci0");
        }

        if (!string.IsNullOrWhiteSpace(options.Bus) && !options.Bus.Contains('=', StringComparison.Ordinal))
        {
            failures.Add($"Pairing:Bus '{options.Bus}' is not a D-Bus address like unix:path=/run/dbus/system_bus_socket (or nothing: the system bus)");
        }

        if (options.ScanSeconds is < 1 or > 60)
        {
            failures.Add($"Pairing:ScanSeconds must be 1-60, got {options.ScanSeconds}");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^hci[0-9]{1,3}$")]
    private static partial Regex AdapterPattern();
}
