namespace EdgeTwin.Cli;

using System.CommandLine;
using EdgeTwin.Cli.Commands;

/// <summary>The <c>edgetwin</c> tool: keys, verification, capture, desired-state signing, test vectors, ingest API tokens, Bluetooth pairing through the gateway.</summary>
internal static class CliApp
{
    /// <summary>Exit codes: 0 sound, 1 integrity failure (fork, broken link, bad signature, rejected record), 2 usage or I/O error.</summary>
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, TimeProvider time, CancellationToken cancellationToken)
    {
        var root = new RootCommand("EdgeTwin ETP/1 tool: keys, stream verification, MQTT capture, signed desired state")
        {
            KeygenCommand.Create(stdout, stderr),
            VerifyCommand.Create(stdout, stderr),
            CaptureCommand.Create(stdout, stderr, time),
            SignDesiredCommand.Create(stdout, stderr, time),
            DesiredCommand.Create(stdout, stderr, time),
            VectorsCommand.Create(stdout, stderr),
            OutboxCommand.Create(stdout, stderr),
            StorageKeyCommand.Create(stdout, stderr, time),
            GatewayKeyCommand.Create(stdout, stderr),
            ReceiptCommand.Create(stdout, stderr),
            AnchorCommands.Deploy(stdout, stderr),
            AnchorCommands.Prove(stdout, stderr),
            AnchorCommands.VerifyProof(stdout, stderr),
            TokenCommand.Create(stdout, stderr, time),
            BleCommand.Create(stdout, stderr),
        };
        var config = new InvocationConfiguration { Output = stdout, Error = stderr };
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await stderr.WriteLineAsync($"edgetwin: {error.Message}").ConfigureAwait(false);
            }

            return Usage;
        }

        return await parse.InvokeAsync(config, cancellationToken).ConfigureAwait(false);
    }
}
