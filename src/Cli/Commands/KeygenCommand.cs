namespace EdgeTwin.Cli.Commands;

using System.CommandLine;
using EdgeTwin.Telemetry.Signing;

/// <summary><c>keygen --out FILE</c>: a new gateway key in a new 0600 file; prints only the address.</summary>
internal static class KeygenCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var output = new Option<FileInfo>("--out") { Description = "key file to create (mode 0600; never overwritten)", Required = true };
        var command = new Command("keygen", "generate a gateway key") { output };
        command.SetAction(parse =>
        {
            var path = parse.GetRequiredValue(output).FullName;
            using var key = GatewayKey.Generate();
            try
            {
                key.SaveToFile(path);
            }
            catch (Exception e) when (e is KeyFileException or IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"edgetwin keygen: {e.Message}");
                return CliApp.Usage;
            }

            stdout.WriteLine(key.Address);
            return CliApp.Ok;
        });
        return command;
    }
}
