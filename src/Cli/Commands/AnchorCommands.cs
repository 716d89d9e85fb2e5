namespace EdgeTwin.Cli.Commands;

using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeTwin.Anchoring;
using EdgeTwin.Telemetry.Signing;
using EdgeTwin.Telemetry.Wire;

/// <summary>
/// Anchoring (docs/anchoring.md): <c>anchor-deploy</c> puts the anchor contract on a chain from the
/// anchoring key; <c>prove</c> fetches a record's proof from the ingest with the patient's FHIR
/// observations into one file; <c>verify-proof</c> checks such a file step by step, against the
/// ledger with <c>--rpc</c>. Exit 0 proven, 1 not proven (invalid, or not anchored yet), 2 usage or I/O error.
/// </summary>
internal static class AnchorCommands
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static Command Deploy(TextWriter stdout, TextWriter stderr)
    {
        var rpc = new Option<string>("--rpc") { Description = "JSON-RPC address of the EVM chain", Required = true };
        var chainId = new Option<long>("--chain-id") { Description = "the chain id to sign for (EIP-155)", Required = true };
        var keyFile = new Option<FileInfo>("--key") { Description = "the ingest's anchoring key (Ingest:Anchor:KeyFile; edgetwin keygen makes one)", Required = true };
        var command = new Command("anchor-deploy", "deploy the anchor contract; the key becomes its only anchorer; prints the contract address") { rpc, chainId, keyFile };
        command.SetAction(async (parse, ct) =>
        {
            if (!await HttpAddressAsync(parse.GetRequiredValue(rpc), rpc.Name, command.Name, stderr).ConfigureAwait(false))
            {
                return CliApp.Usage;
            }

            try
            {
                using var key = GatewayKey.LoadFromFile(parse.GetRequiredValue(keyFile).FullName);
                var web3 = AnchorWeb3.Signing(parse.GetRequiredValue(rpc), key, parse.GetValue(chainId), Timeout);
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
                deadline.CancelAfter(Timeout);
                var address = await AnchorContract.DeployAsync(web3, deadline.Token).ConfigureAwait(false);
                await stdout.WriteLineAsync(address).ConfigureAwait(false);
                await stderr.WriteLineAsync($"edgetwin anchor-deploy: contract {address} on chain {parse.GetValue(chainId)}, anchorer {key.Address}; set Ingest:Anchor:Contract={address}").ConfigureAwait(false);
                return CliApp.Ok;
            }
            catch (Exception e) when (e is KeyFileException or IOException or UnauthorizedAccessException or AnchorLedgerException or HttpRequestException or OperationCanceledException
                or Nethereum.JsonRpc.Client.RpcClientUnknownException or Nethereum.JsonRpc.Client.RpcResponseException or Nethereum.JsonRpc.Client.RpcClientTimeoutException or UriFormatException)
            {
                await stderr.WriteLineAsync($"edgetwin anchor-deploy: {e.Message}").ConfigureAwait(false);
                return CliApp.Usage;
            }
        });
        return command;
    }

    public static Command Prove(TextWriter stdout, TextWriter stderr)
    {
        var ingest = new Option<string>("--ingest") { Description = "the ingest's HTTP address", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
        var gw = new Option<string>("--gw") { Description = "gateway", Required = true };
        var lane = new Option<string>("--lane") { Description = "telemetry or alarm", DefaultValueFactory = _ => WireNames.Telemetry };
        var epoch = new Option<string>("--epoch") { Description = "the chain's epoch", Required = true };
        var seq = new Option<long>("--seq") { Description = "the record's seq", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "the proof file to write", Required = true };
        var token = new Option<string?>("--token") { Description = "bearer token for the ingest API with the clinician role (edgetwin token); default: $EDGETWIN_TOKEN" };
        var command = new Command("prove", "fetch a verified record's proof and the patient's FHIR observations into one file") { ingest, gw, lane, epoch, seq, output, token };
        command.SetAction(async (parse, ct) =>
        {
            if (!await HttpAddressAsync(parse.GetRequiredValue(ingest), ingest.Name, command.Name, stderr).ConfigureAwait(false))
            {
                return CliApp.Usage;
            }

            var baseUrl = parse.GetRequiredValue(ingest).TrimEnd('/');
            using var http = new HttpClient { Timeout = Timeout };
            if ((parse.GetValue(token) ?? Environment.GetEnvironmentVariable("EDGETWIN_TOKEN")) is { Length: > 0 } bearer)
            {
                http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer.Trim());
            }

            try
            {
                var url = $"{baseUrl}/api/proofs/{Uri.EscapeDataString(parse.GetRequiredValue(gw))}/{Uri.EscapeDataString(parse.GetRequiredValue(lane))}/{Uri.EscapeDataString(parse.GetRequiredValue(epoch))}/{parse.GetValue(seq)}";
                using var response = await http.GetAsync(url, ct).ConfigureAwait(false);
                var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    await stderr.WriteLineAsync($"edgetwin prove: {(int)response.StatusCode} {Error(body)}").ConfigureAwait(false);
                    return CliApp.Failed;
                }

                var proof = ProofFile.Parse(body);
                if (Patient(proof.Records[0]) is { } patient && patient != "unattributed")
                {
                    var fhir = await http.GetStringAsync($"{baseUrl}/api/patients/{Uri.EscapeDataString(patient)}/observations", ct).ConfigureAwait(false);
                    proof = proof with { Observations = JsonNode.Parse(fhir) };
                }

                await File.WriteAllTextAsync(parse.GetRequiredValue(output).FullName, proof.ToJson(), ct).ConfigureAwait(false);
                await stdout.WriteLineAsync(proof.Anchor is null
                    ? $"wrote {parse.GetRequiredValue(output).Name}: not anchored yet (the checkpoint waits for the next anchor)"
                    : $"wrote {parse.GetRequiredValue(output).Name}: anchor {proof.Tree!.AnchorIndex}, transaction {proof.Anchor.Tx} on chain {proof.Anchor.ChainId}").ConfigureAwait(false);
                return CliApp.Ok;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or UnauthorizedAccessException or FormatException or JsonException or TaskCanceledException or UriFormatException)
            {
                await stderr.WriteLineAsync($"edgetwin prove: {e.Message}").ConfigureAwait(false);
                return CliApp.Usage;
            }
        });
        return command;
    }

    public static Command VerifyProof(TextWriter stdout, TextWriter stderr)
    {
        var file = new Argument<FileInfo>("FILE") { Description = "a proof file (edgetwin prove)" };
        var rpc = new Option<string?>("--rpc") { Description = "JSON-RPC address of the chain the anchor is on; without it the ledger is not consulted" };
        var enrolled = new Option<string?>("--enrolled") { Description = "the gateway address you trust; without it the proof's own 'enrolled' is taken" };
        var json = new Option<bool>("--json") { Description = "the steps as JSON" };
        var command = new Command("verify-proof", "check a proof file: links, checkpoint signature, Merkle path, and with --rpc the anchor on the ledger") { file, rpc, enrolled, json };
        command.SetAction(async (parse, ct) =>
        {
            ProofFile proof;
            try
            {
                proof = ProofFile.Parse(await File.ReadAllTextAsync(parse.GetRequiredValue(file).FullName, ct).ConfigureAwait(false));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                await stderr.WriteLineAsync($"edgetwin verify-proof: {e.Message}").ConfigureAwait(false);
                return CliApp.Usage;
            }

            var expected = parse.GetValue(enrolled);
            if (expected is not null && !Eip191.IsAddress(expected))
            {
                await stderr.WriteLineAsync($"edgetwin verify-proof: --enrolled '{expected}' is not an address (0x + 40 hex digits)").ConfigureAwait(false);
                return CliApp.Usage;
            }

            var url = parse.GetValue(rpc);
            if (!await HttpAddressAsync(url, rpc.Name, command.Name, stderr).ConfigureAwait(false))
            {
                return CliApp.Usage;
            }

            IAnchorLedger? ledger = url is null ? null : EvmAnchorLedger.Connect(url, Timeout);
            var report = await ProofVerifier.VerifyAsync(proof, expected, ledger, ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                var steps = new JsonArray([.. report.Steps.Select(s => (JsonNode)new JsonObject { ["step"] = s.Step, ["ok"] = s.Ok, ["detail"] = s.Detail })]);
                await stdout.WriteLineAsync(new JsonObject { ["verdict"] = Verdict(report.Verdict), ["steps"] = steps }.ToJsonString()).ConfigureAwait(false);
            }
            else
            {
                foreach (var s in report.Steps)
                {
                    await stdout.WriteLineAsync($"{(s.Ok ? "ok  " : "FAIL")} {s.Step}: {s.Detail}").ConfigureAwait(false);
                }

                await stdout.WriteLineAsync(report.Verdict switch
                {
                    ProofVerdict.Valid => $"PROVEN: {proof.Gw}/{proof.Lane}/{proof.Epoch} seq {proof.Seq} is anchored on chain {proof.Anchor!.ChainId}",
                    ProofVerdict.ValidOffline => "VALID WITHOUT THE LEDGER: links, signature and Merkle path hold; give --rpc to check the anchor",
                    ProofVerdict.NotAnchoredYet => "NOT ANCHORED YET: links and signature hold; fetch the proof again after the next anchor",
                    _ => "NOT PROVEN",
                }).ConfigureAwait(false);
            }

            return report.Verdict is ProofVerdict.Valid or ProofVerdict.ValidOffline ? CliApp.Ok : CliApp.Failed;
        });
        return command;
    }

    /// <summary>False, with the usage error written, when <paramref name="value"/> is given and is not an absolute http(s) address.</summary>
    private static async Task<bool> HttpAddressAsync(string? value, string option, string command, TextWriter stderr)
    {
        if (value is null || (Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            return true;
        }

        await stderr.WriteLineAsync($"edgetwin {command}: {option} '{value}' is not an http(s) address").ConfigureAwait(false);
        return false;
    }

    private static string Verdict(ProofVerdict v) => v switch
    {
        ProofVerdict.Valid => "valid",
        ProofVerdict.ValidOffline => "valid-offline",
        ProofVerdict.NotAnchoredYet => "not-anchored-yet",
        _ => "invalid",
    };

    private static string Error(string body)
    {
        try
        {
            return JsonNode.Parse(body)?["error"]?.GetValue<string>() ?? body;
        }
        catch (JsonException)
        {
            return body;
        }
    }

    private static string? Patient(string record)
    {
        try
        {
            return JsonNode.Parse(record)?["body"]?["patient"]?.GetValue<string>();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null;
        }
    }
}
