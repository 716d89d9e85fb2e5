namespace EdgeTwin.Cli.Commands;

using System.CommandLine;
using System.Text;
using EdgeTwin.Cli.Desired;

/// <summary>
/// <c>sign-desired --key FILE --gw NAME --version N STATE.json</c>: prints a signed envelope (PROTOCOL §6),
/// after checking the state as the gateway would (<see cref="SignedDesired"/>).
/// </summary>
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
            if (SignedDesired.Make(parse.GetRequiredValue(keyFile), parse.GetRequiredValue(gw), parse.GetValue(version), parse.GetRequiredValue(state), time, out var problem) is not { } envelope)
            {
                stderr.WriteLine($"edgetwin sign-desired: {problem}");
                return CliApp.Usage;
            }

            stdout.WriteLine(Encoding.UTF8.GetString(envelope));
            return CliApp.Ok;
        });
        return command;
    }
}
