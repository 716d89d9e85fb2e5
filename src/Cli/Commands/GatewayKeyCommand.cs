namespace EdgeTwin.Cli.Commands;

using System.CommandLine;
using EdgeTwin.Telemetry.Signing;

/// <summary>
/// <c>gateway-key rotate DATA_DIR [--key FILE]</c>: prepares a gateway key rotation in place: a new key
/// in <c>FILE.next</c> (0600, written whole or not at all), which the gateway takes at its next start
/// (it seals its chains under the old key, starts new epochs under the new one linked by the old key's
/// signature, and delivers what the sealed chains still hold; docs/operations.md "Keys"). Prints the
/// old and the new address. Exit 0 when prepared, 2 when not (nothing changed).
/// </summary>
internal static class GatewayKeyCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var data = new Argument<DirectoryInfo>("DATA_DIR") { Description = "the gateway's data directory (Gateway:DataDirectory)" };
        var key = new Option<FileInfo>("--key") { Description = "gateway key file (Gateway:KeyFile; default: DATA_DIR/gateway.key)" };
        var rotate = new Command("rotate", "prepare a gateway key rotation: a new key beside the current one, taken at the gateway's next start") { data, key };
        rotate.SetAction(parse =>
        {
            var keyPath = parse.GetValue(key)?.FullName ?? Path.Combine(parse.GetRequiredValue(data).FullName, "gateway.key");
            var nextPath = keyPath + GatewayKey.NextFileSuffix;
            try
            {
                using var current = GatewayKey.LoadFromFile(keyPath);
                if (File.Exists(nextPath))
                {
                    using var pending = GatewayKey.LoadFromFile(nextPath);
                    stderr.WriteLine($"edgetwin gateway-key: a rotation from {current.Address} to {pending.Address} is already pending ({nextPath}); restart the gateway to complete it");
                    return CliApp.Usage;
                }

                using var next = GatewayKey.Generate();
                next.SaveToFile(nextPath);
                stdout.WriteLine($"rotation prepared: {current.Address} -> {next.Address}");
                stdout.WriteLine($"the new key is in {nextPath}: back it up now, then restart the gateway to complete the rotation");
                return CliApp.Ok;
            }
            catch (Exception e) when (e is KeyFileException or IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"edgetwin gateway-key: {e.Message}");
                return CliApp.Usage;
            }
        });
        return new Command("gateway-key", "the gateway's signing key") { rotate };
    }
}
