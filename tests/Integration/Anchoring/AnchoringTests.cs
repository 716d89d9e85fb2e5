namespace EdgeTwin.Integration.Tests.Anchoring;

using System.Diagnostics;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EdgeTwin.Anchoring;
using EdgeTwin.Ingest;
using EdgeTwin.Ingest.Access;
using EdgeTwin.Ingest.Anchoring;
using EdgeTwin.Ingest.Mqtt;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Ingest.Storage.LiteDb;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Integration.Tests.Support;
using EdgeTwin.Telemetry.Signing;
using LiteDB;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

/// <summary>
/// Issue 17 end to end: the real gateway (simulated ward, one admitted patient) -> mosquitto -> the
/// real ingest anchoring on a real local EVM node (ganache), with the contract deployed by
/// <c>edgetwin anchor-deploy</c>. The patient's proof is checked by <c>edgetwin verify-proof</c> and by
/// the ethers.js script of docs/anchoring.md (which refuses it against another expected gateway
/// address); a record not anchored yet says so; a different root for
/// the same anchor, and a record changed in the store after anchoring, are caught.
/// </summary>
public sealed partial class AnchoringTests
{
    private static readonly TimeSpan Wait60 = TimeSpan.FromSeconds(60);
    private readonly ITestOutputHelper _output;

    public AnchoringTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task SimulatedPatient_AnchoredOnALocalChain_ProofHoldsForEdgetwinAndEthers_RewrittenRecordsRootsAndAnchorsAreCaught()
    {
        var dir = Directory.CreateTempSubdirectory("edgetwin-it-anchor-").FullName;
        using var ledger = await AnchoringLedger.StartAsync(dir);
        var contract = ledger.Contract;

        using var mosquitto = new Mosquitto();
        var data = Path.Combine(dir, "gw");
        var ingestData = Path.Combine(dir, "ingest");
        Directory.CreateDirectory(data);
        Directory.CreateDirectory(ingestData);
        string gatewayAddress, ingestAddress;
        using (var key = GatewayKey.Generate())
        {
            key.SaveToFile(Path.Combine(data, "gateway.key"));
            gatewayAddress = key.Address;
        }

        using (var key = GatewayKey.Generate())
        {
            key.SaveToFile(Path.Combine(ingestData, "ingest.key"));
            ingestAddress = key.Address;
        }

        var httpPort = Mosquitto.FreePort();
        var ingestUrl = $"http://127.0.0.1:{httpPort}";
        await using var ingest = IngestHost.Create(
        [
            $"--urls={ingestUrl}", $"--Ingest:Broker={mosquitto.Url}", $"--Ingest:Storage=litedb:{ingestData}",
            $"--Ingest:Enrolled:gw-it={gatewayAddress}", "--Logging:LogLevel:Default=Warning",
            .. ledger.IngestArgs,
        ]);
        using (var start = new CancellationTokenSource(Wait60))
        {
            await ingest.StartAsync(start.Token);
            await ingest.Services.GetRequiredService<MqttIngestWorker>().Subscribed.WaitAsync(start.Token);
        }

        using var http = new HttpClient { BaseAddress = new Uri(ingestUrl) }.WithToken(IngestTokens.Mint(ingest.Services));
        var gateway = await InProcessGateway.StartAsync(InProcessGateway.Args(data, mosquitto.Port, "--Uplink:Receipts=true", $"--Uplink:ReceiptSigners:0={ingestAddress}", $"--Gateway:KeyFile={Path.Combine(data, "gateway.key")}"));
        string patient;
        using (var box = BoxAdmin.Client(gateway.Urls.First(), data))
        {
            var admitted = await box.PostAsync("/twin/bindings", new StringContent("""{"action":"admit","patient":"MRN-1717","bed":"bed-1","devices":["sim-bed-1"]}""", Encoding.UTF8, "application/json"));
            Assert.True(admitted.IsSuccessStatusCode, $"{(int)admitted.StatusCode} {await admitted.Content.ReadAsStringAsync()}");
            patient = JsonNode.Parse(await admitted.Content.ReadAsStringAsync())!["patient"]!.GetValue<string>();
        }

        // A verified observation of the patient whose covering checkpoint is verified too (it is in the leaf log).
        var store = ingest.Services.GetRequiredService<IIngestStore>();
        var anchors = (IAnchorStore)store;
        RecordRow? record = null;
        await Wait.UntilAsync(async () =>
        {
            foreach (var r in await store.VerifiedRecordsAsync(new RecordQuery(patient, "gw-it", null, "obs", 50), default))
            {
                var run = await anchors.ThroughCheckpointAsync(r.Chain, r.Seq, 10_000, default);
                if (run.Count > 0 && await anchors.LeafAsync(r.Chain, run[^1].Seq, default) is not null)
                {
                    record = r;
                    return true;
                }
            }

            return false;
        }, Wait60, () => "a verified observation of the admitted patient whose checkpoint is verified");
        var (chain, seq) = (record!.Chain, record.Seq);
        var proofFile = Path.Combine(dir, "proof.json");
        string[] prove = ["prove", "--ingest", ingestUrl, "--gw", chain.Gw, "--lane", chain.Lane, "--epoch", chain.Epoch, "--seq", seq.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", proofFile, "--token", IngestTokens.Mint(ingest.Services, IngestPolicies.Clinician)];

        // Before the first anchor: links and signature hold, and the proof says it is not anchored yet.
        var early = await Tool.RunAsync(prove);
        Assert.True(early.Code == 0, early.Err);
        var notYet = await Tool.RunAsync("verify-proof", proofFile, "--rpc", ledger.Rpc);
        Assert.Equal(1, notYet.Code);
        Assert.Contains("NOT ANCHORED YET", notYet.Out, StringComparison.Ordinal);

        // One anchoring round; the patient's proof then holds for edgetwin and for ethers.js alone.
        var anchorer = ingest.Services.GetRequiredService<Anchorer>();
        var anchored = await anchorer.RoundAsync(default);
        Assert.NotNull(anchored);
        Assert.True(anchored!.Anchored);
        Assert.Equal(0, anchored.Index);
        var written = await Tool.RunAsync(prove);
        Assert.True(written.Code == 0, written.Err);
        var proof = ProofFile.Parse(await File.ReadAllTextAsync(proofFile));
        Assert.Equal((contract.ToLowerInvariant(), Ganache.ChainId, anchored.Tx), (proof.Anchor!.Contract.ToLowerInvariant(), proof.Anchor.ChainId, proof.Anchor.Tx));
        Assert.Contains(patient, proof.Observations!.ToJsonString(), StringComparison.Ordinal);
        var verified = await Tool.RunAsync("verify-proof", proofFile, "--rpc", ledger.Rpc, "--enrolled", gatewayAddress);
        Assert.True(verified.Code == 0, verified.Out + verified.Err);
        Assert.Contains("PROVEN", verified.Out, StringComparison.Ordinal);
        var ethers = await EthersAsync(proofFile, ledger.Rpc);
        Assert.True(ethers.Code == 0, ethers.Out + ethers.Err);
        Assert.StartsWith("PROVEN", ethers.Out, StringComparison.Ordinal);
        Assert.Equal(0, (await EthersAsync(proofFile, ledger.Rpc, gatewayAddress.ToLowerInvariant())).Code);
        var otherSigner = await EthersAsync(proofFile, ledger.Rpc, ingestAddress);
        Assert.Equal(1, otherSigner.Code);
        Assert.StartsWith($"NOT PROVEN: enrolled: the proof names signer {proof.Enrolled}, not the expected {ingestAddress}", otherSigner.Err, StringComparison.Ordinal);
        await ReportGasAsync(ledger.Rpc, anchored.Tx!);

        // A different root for the same anchor (a consistent tree over other leaves): the ledger says no.
        var leaf = MerkleTree.LeafHash(SHA256.HashData(Encoding.UTF8.GetBytes(proof.Records[^1])));
        var forged = proof with { Tree = proof.Tree! with { FirstLeaf = proof.LeafPosition!.Value, LeafIndex = 0, TreeSize = 1, Path = [], Root = Convert.ToHexStringLower(leaf) } };
        var forgedFile = Path.Combine(dir, "forged.json");
        await File.WriteAllTextAsync(forgedFile, forged.ToJson());
        var offline = await Tool.RunAsync("verify-proof", forgedFile);
        Assert.Equal(0, offline.Code); // consistent in itself: only the ledger can tell
        var refused = await Tool.RunAsync("verify-proof", forgedFile, "--rpc", ledger.Rpc);
        Assert.Equal(1, refused.Code);
        Assert.Contains("FAIL ledger", refused.Out, StringComparison.Ordinal);
        Assert.Equal(1, (await EthersAsync(forgedFile, ledger.Rpc)).Code);

        // The anchored checkpoint rewritten in the store: the audit raises anchor-mismatch, and the
        // proof built from the store no longer holds.
        var checkpointSeq = JsonNode.Parse(proof.Records[^1])!["seq"]!.GetValue<long>();
        var db = ((LiteDbIngestStore)store).Db;
        var records = db.GetCollection(LiteDbMapping.Records);
        var doc = records.FindById(LiteDbMapping.RecordId(chain, checkpointSeq));
        var bytes = doc["payload"].AsBinary;
        bytes[bytes.Length - 4] ^= 0x01; // the signature's last hex digit: the record still parses as JSON
        doc["payload"] = new BsonValue(bytes);
        records.Update(doc);
        await anchorer.RoundAsync(default);
        var alerts = (await http.GetFromJsonAsync<JsonArray>("/api/alerts"))!;
        Assert.Contains(alerts, a => (string)a!["kind"]! == "anchor-mismatch" && ((string)a["detail"]!).Contains("changed after anchoring", StringComparison.Ordinal));
        var rewritten = await Tool.RunAsync(prove);
        Assert.True(rewritten.Code == 0, rewritten.Err);
        var broken = await Tool.RunAsync("verify-proof", proofFile, "--rpc", ledger.Rpc);
        Assert.Equal(1, broken.Code);
        Assert.Contains("NOT PROVEN", broken.Out, StringComparison.Ordinal);

        // The anchor itself rewritten in the store (another root for the same interval): the ledger disagrees.
        var anchorRows = db.GetCollection(LiteDbAnchorMapping.Anchors);
        var anchorDoc = anchorRows.FindById(0L);
        anchorDoc["root"] = new string('e', 64);
        anchorRows.Update(anchorDoc);
        await anchorer.RoundAsync(default);
        alerts = (await http.GetFromJsonAsync<JsonArray>("/api/alerts"))!;
        Assert.Contains(alerts, a => (string)a!["kind"]! == "anchor-mismatch" && ((string)a["detail"]!).Contains($"the ledger holds root {proof.Tree!.Root}", StringComparison.Ordinal));

        await gateway.DisposeAsync();
        await ingest.StopAsync();
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task TheCommittedContract_IsWhatSolcBuildsFromTheSource()
    {
        var result = await RunAsync("node", [Path.Combine(Ganache.Tools, "compile.js"), "--check"], null);
        Assert.True(result.Code == 0, result.Out + result.Err);
        Assert.Contains("bytecode and ABI match solc 0.8.37", result.Out, StringComparison.Ordinal);
        var embedded = AnchorContract.Bytecode;
        Assert.Equal((await File.ReadAllTextAsync(Path.Combine(Repository.Root, "contracts", "EdgeTwinAnchor.bin"))).Trim(), embedded);
    }

    /// <summary>Runs the ethers.js block of docs/anchoring.md as written, with ethers from tools/evm.</summary>
    private static async Task<(int Code, string Out, string Err)> EthersAsync(string proofFile, string rpc, string? enrolled = null)
    {
        var doc = await File.ReadAllTextAsync(Path.Combine(Repository.Root, "docs", "anchoring.md"));
        var script = ScriptBlock().Match(doc);
        Assert.True(script.Success, "docs/anchoring.md has no ```js block after <!-- verify-proof.js -->");
        var file = Path.Combine(Path.GetDirectoryName(proofFile)!, "verify-proof.js");
        await File.WriteAllTextAsync(file, script.Groups[1].Value);
        return await RunAsync("node", enrolled is null ? [file, proofFile, rpc] : [file, proofFile, rpc, enrolled], Path.Combine(Ganache.Tools, "node_modules"));
    }

    private static async Task<(int Code, string Out, string Err)> RunAsync(string file, string[] args, string? nodePath)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (nodePath is not null)
        {
            psi.Environment["NODE_PATH"] = nodePath;
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(Wait60);
        await p.WaitForExitAsync(cts.Token);
        return (p.ExitCode, await stdout, await stderr);
    }

    private async Task ReportGasAsync(string rpc, string tx)
    {
        var receipt = await AnchorWeb3.ReadOnly(rpc, Wait60).Eth.Transactions.GetTransactionReceipt.SendRequestAsync(tx);
        _output.WriteLine($"gas used by the first anchor: {receipt.GasUsed.Value}");
    }

    [GeneratedRegex("<!-- verify-proof.js -->\\s*```js\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ScriptBlock();
}
