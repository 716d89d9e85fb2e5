namespace EdgeTwin.Cli.Tests;

using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using EdgeTwin.Anchoring;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Signing;

/// <summary>
/// <c>edgetwin verify-proof</c> without a ledger (docs/anchoring.md): a proof file built here from a
/// real signed chain and a two-leaf tree written out from RFC 6962, then tampered, is refused at the
/// step that breaks (exit 1); and the usage errors of <c>prove</c>, <c>verify-proof</c> and
/// <c>anchor-deploy</c> exit 2 with a clear message before anything is fetched, sent or deployed.
/// </summary>
public sealed class ProofCommandTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 10, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("edgetwin-cli-proof-").FullName;
    private readonly GatewayKey _gateway = GatewayKey.Generate();

    public void Dispose()
    {
        _gateway.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task AnIntactProof_IsValidWithoutTheLedger_WithOrWithoutTheEnrolledAddressGiven()
    {
        var file = Write(Proof(_gateway));

        var own = await Cli.RunAsync("verify-proof", file);
        var given = await Cli.RunAsync("verify-proof", file, "--enrolled", _gateway.Address.ToLowerInvariant());

        Assert.True(own.Exit == 0, own.Out + own.Err);
        Assert.Equal(0, given.Exit);
        Assert.Contains("ok   links: seq 1 .. 3 link by hash", own.Out, StringComparison.Ordinal);
        Assert.Contains($"ok   checkpoint: seq 3 covers seq 0 .. 2 and is signed by the enrolled {_gateway.Address}", own.Out, StringComparison.Ordinal);
        Assert.Contains("ok   merkle: checkpoint ", own.Out, StringComparison.Ordinal);
        Assert.Contains("VALID WITHOUT THE LEDGER", given.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARecordChangedInTheFile_BreaksTheHashLinkToTheNext_NotProven()
    {
        var proof = Proof(_gateway);
        proof["records"]![0] = proof["records"]![0]!.GetValue<string>().Replace("[72]", "[27]", StringComparison.Ordinal);

        var (exit, output, _) = await Cli.RunAsync("verify-proof", Write(proof));

        Assert.Equal(1, exit);
        Assert.Contains("FAIL links: seq 2: prev ", output, StringComparison.Ordinal);
        Assert.Contains("is not the hash ", output, StringComparison.Ordinal);
        Assert.EndsWith("NOT PROVEN" + Environment.NewLine, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnotherEnrolledAddress_InTheFileOrGiven_IsNotTheSigner_NotProven()
    {
        using var other = GatewayKey.Generate();
        var file = Write(Proof(_gateway));
        var claimsOther = Proof(_gateway);
        claimsOther["enrolled"] = other.Address;

        var given = await Cli.RunAsync("verify-proof", file, "--enrolled", other.Address);
        var inFile = await Cli.RunAsync("verify-proof", Write(claimsOther));

        Assert.Equal((1, 1), (given.Exit, inFile.Exit));
        Assert.Contains($"FAIL enrolled: the proof names signer {_gateway.Address}, not the expected {other.Address}", given.Out, StringComparison.Ordinal);
        Assert.Contains($"FAIL checkpoint: seq 3 is signed by {_gateway.Address}, not by the enrolled {other.Address}", inFile.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AProofSignedByAnotherKeyThatNamesThatKey_HoldsOnItsOwnClaim_UntilTheEnrolledAddressIsGiven()
    {
        // docs/anchoring.md: 'enrolled' is the file's own claim; only --enrolled (learnt elsewhere) pins the gateway.
        using var forger = GatewayKey.Generate();
        var file = Write(Proof(forger));

        var trusting = await Cli.RunAsync("verify-proof", file);
        var pinned = await Cli.RunAsync("verify-proof", file, "--enrolled", _gateway.Address);

        Assert.Equal(0, trusting.Exit);
        Assert.Equal(1, pinned.Exit);
        Assert.Contains($"FAIL enrolled: the proof names signer {forger.Address}, not the expected {_gateway.Address}", pinned.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sibling", "FAIL merkle: the audit path does not lead from leaf 0")]
    [InlineData("root", "FAIL merkle: the audit path does not lead from leaf 0")]
    [InlineData("leafIndex", "FAIL merkle: leaf position 6 is not index 1 of the tree starting at leaf 6")]
    [InlineData("treeSize", "FAIL merkle: the audit path does not lead from leaf 0")]
    [InlineData("extraStep", "FAIL merkle: the audit path does not lead from leaf 0")]
    [InlineData("notHex", "FAIL merkle: the root or a path entry is not 64 hex digits")]
    public async Task ABadAuditPath_FailsTheMerkleStep_NotProven(string change, string expected)
    {
        var proof = Proof(_gateway);
        var tree = proof["tree"]!;
        var sibling = tree["path"]![0]!.GetValue<string>();
        switch (change)
        {
            case "sibling":
                tree["path"]![0] = Flip(sibling);
                break;
            case "root":
                tree["root"] = Flip(tree["root"]!.GetValue<string>());
                break;
            case "leafIndex":
                tree["leafIndex"] = 1;
                break;
            case "treeSize":
                tree["treeSize"] = 3;
                break;
            case "extraStep":
                tree["path"]!.AsArray().Add(sibling);
                break;
            default:
                tree["path"]![0] = "zz" + sibling[2..];
                break;
        }

        var (exit, output, _) = await Cli.RunAsync("verify-proof", Write(proof));

        Assert.Equal(1, exit);
        Assert.Contains(expected, output, StringComparison.Ordinal);
        Assert.Contains("ok   checkpoint", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("verify-proof")]
    [InlineData("verify-proof", "{dir}/missing.json")]
    [InlineData("verify-proof", "{dir}/not-a-proof.json")]
    [InlineData("verify-proof", "{dir}/proof.json", "--enrolled", "0x1234")]
    [InlineData("verify-proof", "{dir}/proof.json", "--rpc", "not a url")]
    [InlineData("prove", "--epoch", "0123456789abcdef0123456789abcdef", "--seq", "1", "--out", "{dir}/out.json")]
    [InlineData("prove", "--gw", "gw-1", "--epoch", "0123456789abcdef0123456789abcdef", "--seq", "one", "--out", "{dir}/out.json")]
    [InlineData("prove", "--ingest", "not a url", "--gw", "gw-1", "--epoch", "0123456789abcdef0123456789abcdef", "--seq", "1", "--out", "{dir}/out.json")]
    [InlineData("prove", "--ingest", "http://127.0.0.1:1", "--gw", "gw-1", "--epoch", "0123456789abcdef0123456789abcdef", "--seq", "1", "--out", "{dir}/out.json")]
    [InlineData("anchor-deploy", "--chain-id", "1337", "--key", "{dir}/anchor.key")]
    [InlineData("anchor-deploy", "--rpc", "http://127.0.0.1:1", "--chain-id", "one", "--key", "{dir}/anchor.key")]
    [InlineData("anchor-deploy", "--rpc", "http://127.0.0.1:1", "--chain-id", "1337", "--key", "{dir}/missing.key")]
    [InlineData("anchor-deploy", "--rpc", "not a url", "--chain-id", "1337", "--key", "{dir}/anchor.key")]
    [InlineData("anchor-deploy", "--rpc", "http://127.0.0.1:1", "--chain-id", "1337", "--key", "{dir}/anchor.key")]
    public async Task UsageAndInputErrors_Exit2_WithAMessage_AndWriteNothing(params string[] args)
    {
        File.WriteAllText(Path.Combine(_dir, "not-a-proof.json"), """{"format":"something-else/1"}""");
        Write(Proof(_gateway));
        _gateway.SaveToFile(Path.Combine(_dir, "anchor.key"));
        var before = Directory.GetFiles(_dir).Order().ToList();

        var (exit, output, err) = await Cli.RunAsync([.. args.Select(a => a.Replace("{dir}", _dir, StringComparison.Ordinal))]);

        Assert.True(exit == 2, $"exit {exit}: {output}{err}");
        Assert.Equal(string.Empty, output);
        Assert.StartsWith("edgetwin", err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal); // a message, not a stack trace
        Assert.Equal(before, Directory.GetFiles(_dir).Order().ToList());
    }

    private static string Flip(string hex) => (hex[0] == '0' ? '1' : '0') + hex[1..];

    /// <summary>
    /// The proof of seq 1 of a real chain (genesis, two observations, the checkpoint at seq 3 signed by
    /// <paramref name="signer"/>, who is also named as enrolled): the checkpoint is leaf 0 of a
    /// two-leaf tree starting at leaf 6, its sibling an arbitrary leaf.
    /// </summary>
    private static JsonObject Proof(GatewayKey signer)
    {
        var writer = ChainWriter.StartNew("ward7-bed12", Lane.Telemetry, signer, new CheckpointPolicy { MaxRecords = 100, MaxDelay = TimeSpan.FromHours(1) },
            GenesisReason.FirstStart, "test", Now, ClockQuality.Synced, out _);
        var first = writer.AppendObs(new ObsBody("p-1", "mon-1", "loinc:8867-4", "/min", Now, 0, [72]), Now, ClockQuality.Synced);
        var second = writer.AppendObs(new ObsBody("p-1", "mon-1", "loinc:8867-4", "/min", Now, 0, [73]), Now, ClockQuality.Synced);
        var checkpoint = writer.Checkpoint(Now, ClockQuality.Synced)!;

        var leaf = SHA256.HashData([0x00, .. SHA256.HashData(checkpoint.Payload)]);
        var sibling = SHA256.HashData([0x00, .. RandomNumberGenerator.GetBytes(32)]);
        var root = SHA256.HashData([0x01, .. leaf, .. sibling]);
        var proof = new ProofFile
        {
            Gw = "ward7-bed12",
            Lane = "telemetry",
            Epoch = writer.State.Epoch,
            Seq = first.Seq,
            Enrolled = signer.Address,
            Records = [.. new[] { first, second, checkpoint }.Select(r => Encoding.UTF8.GetString(r.Payload))],
            LeafPosition = 6,
            Tree = new ProofTree(2, 6, 2, 0, [Convert.ToHexStringLower(sibling)], Convert.ToHexStringLower(root)),
            Anchor = new ProofAnchor(1337, "0x" + new string('a', 40), "0x" + new string('b', 64), 9),
        };
        return JsonNode.Parse(proof.ToJson())!.AsObject();
    }

    private string Write(JsonObject proof)
    {
        var file = Path.Combine(_dir, "proof.json");
        File.WriteAllText(file, proof.ToJsonString());
        return file;
    }
}
