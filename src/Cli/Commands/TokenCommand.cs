namespace EdgeTwin.Cli.Commands;

using System.CommandLine;
using EdgeTwin.Outbox.Encryption;
using EdgeTwin.Telemetry.Access;

/// <summary>
/// <c>token --role R --expires D [--subject S] --key FILE</c>: a bearer token for the ingest API,
/// signed with its local signing key (<c>Ingest:Auth:SigningKeyFile</c>, docs/ingest.md "Access").
/// Prints only the token. Exit 2 for a bad role, lifetime or key file; nothing is written.
/// </summary>
internal static class TokenCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, TimeProvider time)
    {
        var roles = new Option<string[]>("--role") { Description = $"role the token carries: {string.Join(", ", AccessToken.Roles)} (repeatable, or comma-separated)", Required = true, AllowMultipleArgumentsPerToken = true };
        var expires = new Option<string>("--expires") { Description = "how long it is good for: 90m, 8h, 30d (at most 366d)", Required = true };
        var subject = new Option<string>("--subject") { Description = "who holds it; the access log names them (default: the user running this command)" };
        var key = new Option<FileInfo>("--key") { Description = "the ingest's signing key file (0600)", Required = true };
        var command = new Command("token", "mint a bearer token for the ingest API") { roles, expires, subject, key };
        command.SetAction(parse =>
        {
            var wanted = parse.GetRequiredValue(roles).SelectMany(r => r.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
            if (!AccessToken.TryParseLifetime(parse.GetRequiredValue(expires), out var lifetime, out var problem))
            {
                stderr.WriteLine($"edgetwin token: --expires {problem}");
                return CliApp.Usage;
            }

            try
            {
                var secret = SecretFile.Read(parse.GetRequiredValue(key).FullName, "signing key");
                var who = parse.GetValue(subject) ?? Environment.UserName;
                stdout.WriteLine(AccessToken.Mint(secret, who, wanted, time.GetUtcNow(), lifetime));
                return CliApp.Ok;
            }
            catch (Exception e) when (e is SecretFileException or ArgumentException)
            {
                stderr.WriteLine($"edgetwin token: {e.Message}");
                return CliApp.Usage;
            }
        });
        return command;
    }
}
