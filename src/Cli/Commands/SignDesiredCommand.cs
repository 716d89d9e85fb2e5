namespace EdgeTwin.Cli.Commands;

using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeTwin.Telemetry.Desired;
using EdgeTwin.Telemetry.Signing;

/// <summary><c>sign-desired --key FILE --gw NAME --version N STATE.json</c>: prints a signed envelope (PROTOCOL §6).</summary>
internal static class SignDesiredCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, TimeProvider time)
    {
        var keyFile = new Option<FileInfo>("--key") { Description = "operator key file (mode 0600)", Required = true };
        var gw = new Option<string>("--gw") { Description = "gateway name the document is for", Required = true };
        var version = new Option<long>("--version") { Description = "document version, greater than the one applied", Required = true };
        var state = new Argument<FileInfo>("STATE.json") { Description = "desired state, a JSON object" };
        var command = new Command("sign-desired", "sign a desired-state document with an operator key") { keyFile, gw, version, state };
        command.SetAction(parse =>
        {
            try
            {
                var stateNode = JsonNode.Parse(File.ReadAllText(parse.GetRequiredValue(state).FullName, Encoding.UTF8));
                if (stateNode is not JsonObject stateObject)
                {
                    stderr.WriteLine("edgetwin sign-desired: STATE.json must hold a JSON object");
                    return CliApp.Usage;
                }

                using var key = GatewayKey.LoadFromFile(parse.GetRequiredValue(keyFile).FullName);
                var doc = new DesiredDocument(parse.GetRequiredValue(gw), parse.GetValue(version), time.GetUtcNow(), stateObject);
                stdout.WriteLine(Encoding.UTF8.GetString(DesiredEnvelope.Sign(doc, key)));
                return CliApp.Ok;
            }
            catch (Exception e) when (e is KeyFileException or IOException or UnauthorizedAccessException or JsonException or ArgumentException)
            {
                stderr.WriteLine($"edgetwin sign-desired: {e.Message}");
                return CliApp.Usage;
            }
        });
        return command;
    }
}
