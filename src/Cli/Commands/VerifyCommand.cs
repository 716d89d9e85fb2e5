namespace EdgeTwin.Cli.Commands;

using System.CommandLine;
using EdgeTwin.Cli.Verify;
using EdgeTwin.Telemetry.Capture;

/// <summary>
/// <c>verify CAPTURE.jsonl [--enrolled ADDR...] [--from-middle] [--json]</c>: exit 0 only when nothing is forked,
/// broken, badly signed, unenrolled or rejected; missing and pending records are reported, not failures.
/// <c>--from-middle</c> (needs <c>--enrolled</c>): a live capture, records before the first one received are out of scope.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var capture = new Argument<FileInfo>("CAPTURE.jsonl") { Description = "capture file: one {\"topic\":..,\"b64\":..} per line" };
        var enrolled = new Option<string[]>("--enrolled") { Description = "enrolled gateway addresses; others are unknown signers", AllowMultipleArgumentsPerToken = true };
        var json = new Option<bool>("--json") { Description = "machine-readable report" };
        var fromMiddle = new Option<bool>("--from-middle")
        {
            Description = "a capture joined in the middle of its chains: verify from the first record received (needs --enrolled); without it, the seqs before are missing",
        };
        var command = new Command("verify", "verify a captured ETP/1 stream") { capture, enrolled, json, fromMiddle };
        command.SetAction(parse =>
        {
            var addresses = parse.GetValue(enrolled);
            if (addresses?.FirstOrDefault(a => !IsAddress(a)) is { } bad)
            {
                stderr.WriteLine($"edgetwin verify: '{bad}' is not an address (0x + 40 hex digits)");
                return CliApp.Usage;
            }

            if (parse.GetValue(fromMiddle) && addresses is not { Length: > 0 })
            {
                stderr.WriteLine("edgetwin verify: --from-middle needs --enrolled ADDR: without a genesis only the enrolled key says whose checkpoints count");
                return CliApp.Usage;
            }

            CaptureVerification result;
            try
            {
                using var reader = File.OpenText(parse.GetRequiredValue(capture).FullName);
                result = CaptureVerification.Run(CaptureFile.Read(reader), addresses is { Length: > 0 } ? addresses : null, parse.GetValue(fromMiddle));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"edgetwin verify: {e.Message}");
                return CliApp.Usage;
            }

            if (parse.GetValue(json))
            {
                JsonReport.Write(stdout, result);
            }
            else
            {
                HumanReport.Write(stdout, result);
            }

            return result.Sound ? CliApp.Ok : CliApp.Failed;
        });
        return command;
    }

    private static bool IsAddress(string s) => s.Length == 42 && s.StartsWith("0x", StringComparison.Ordinal) && s[2..].All(char.IsAsciiHexDigit);

}
