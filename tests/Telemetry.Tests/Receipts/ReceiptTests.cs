namespace EdgeTwin.Telemetry.Tests.Receipts;

using System.Security.Cryptography;
using System.Text;
using EdgeTwin.Telemetry.Receipts;

public sealed class ReceiptTests
{
    private const string Epoch = "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf";
    private const string Hash = "74d2ee7989cd78ef4a6c1ac6c07ba63999630478bb66e721640da7927d235dd9";

    [Fact]
    public void Digest_IsSha256OfTheProtocolText()
    {
        var text = $"ETP1-RECEIPT\nward7-bed12\ntelemetry\n{Epoch}\n13\n{Hash}";

        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(text)), Receipt.Digest("ward7-bed12", "telemetry", Epoch, 13, Hash));
    }

    [Fact]
    public void Signed_RoundTripsThroughItsPayload_AndNamesItsSigner()
    {
        using var ingest = TestKeys.Reference();
        var receipt = Receipt.Sign("ward7-bed12", "alarm", Epoch, 42, Hash, ingest);

        Assert.True(Receipt.TryParse(receipt.ToPayload(), out var parsed, out var problem), problem);
        Assert.Equal(receipt, parsed);
        Assert.Null(parsed!.CheckSigner([TestKeys.ReferenceAddress.ToLowerInvariant()], out var signer));
        Assert.Equal(TestKeys.ReferenceAddress, signer);
    }

    [Fact]
    public void Payload_HasTheProtocolMembersInOrder()
    {
        using var ingest = TestKeys.Reference();
        var payload = Encoding.UTF8.GetString(Receipt.Sign("gw-1", "telemetry", Epoch, 7, Hash, ingest).ToPayload());

        Assert.StartsWith($$"""{"gw":"gw-1","lane":"telemetry","epoch":"{{Epoch}}","seq":7,"hash":"{{Hash}}","sig":"0x""", payload, StringComparison.Ordinal);
    }

    [Fact]
    public void SignedByAnotherKey_IsAnUnlistedSigner()
    {
        using var forger = TestKeys.Other();
        var receipt = Receipt.Sign("gw-1", "telemetry", Epoch, 7, Hash, forger);

        Assert.Equal(StatementProblems.UnlistedSigner, receipt.CheckSigner([TestKeys.ReferenceAddress], out _));
    }

    [Fact]
    public void AnyFieldChangedAfterSigning_NoLongerVerifies()
    {
        using var ingest = TestKeys.Reference();
        var receipt = Receipt.Sign("gw-1", "telemetry", Epoch, 7, Hash, ingest);
        string[] signers = [TestKeys.ReferenceAddress];

        Assert.NotNull((receipt with { Seq = 8 }).CheckSigner(signers, out _));
        Assert.NotNull((receipt with { Hash = new string('0', 64) }).CheckSigner(signers, out _));
        Assert.NotNull((receipt with { Gw = "gw-2" }).CheckSigner(signers, out _));
        Assert.NotNull((receipt with { Lane = "alarm" }).CheckSigner(signers, out _));
    }

    [Theory]
    [InlineData("""{"gw":"gw-1","lane":"telemetry","epoch":"EPOCH","seq":7,"hash":"HASH"}""", "malformed")]
    [InlineData("""{"gw":"gw-1","lane":"telemetry","epoch":"EPOCH","seq":7,"hash":"HASH","sig":"0x00"}""", "bad-signature:sig-length")]
    [InlineData("""{"gw":"gw-1","lane":"video","epoch":"EPOCH","seq":7,"hash":"HASH","sig":"SIG"}""", "malformed")]
    [InlineData("""{"gw":"GW","lane":"telemetry","epoch":"EPOCH","seq":7,"hash":"HASH","sig":"SIG"}""", "malformed")]
    [InlineData("""{"gw":"gw-1","lane":"telemetry","epoch":"EPOCH","seq":7.0,"hash":"HASH","sig":"SIG"}""", "malformed")]
    [InlineData("""{"gw":"gw-1","lane":"telemetry","epoch":"EPOCH","seq":-1,"hash":"HASH","sig":"SIG"}""", "malformed")]
    [InlineData("""{"gw":"gw-1","lane":"telemetry","epoch":"EPOCH","seq":"7","hash":"HASH","sig":"SIG"}""", "malformed")]
    [InlineData("""{"gw":"gw-1","lane":"telemetry","epoch":"EPOCH","seq":7,"seq":8,"hash":"HASH","sig":"SIG"}""", "malformed")]
    [InlineData("""{"gw":"gw-1","lane":"telemetry","epoch":"EPOCH","seq":7,"hash":"ABCD","sig":"SIG"}""", "malformed")]
    [InlineData("""{"gw":"gw-1","lane":"telemetry","epoch":"EPOCH","seq":7,"hash":"HASH","sig":"SIG"} x""", "malformed")]
    [InlineData("""{"lane":"telemetry","epoch":"EPOCH","seq":7}""", "malformed")]
    [InlineData("""[1]""", "malformed")]
    [InlineData("""not json""", "malformed")]
    public void Malformed_OrUnsigned_IsRefusedWithItsProblem(string template, string expected)
    {
        using var ingest = TestKeys.Reference();
        var sig = Receipt.Sign("gw-1", "telemetry", Epoch, 7, Hash, ingest).Sig;
        var payload = Encoding.UTF8.GetBytes(template.Replace("EPOCH", Epoch, StringComparison.Ordinal).Replace("HASH", Hash, StringComparison.Ordinal).Replace("SIG", sig, StringComparison.Ordinal));

        var problem = Receipt.TryParse(payload, out var receipt, out var parseProblem)
            ? receipt!.CheckSigner([TestKeys.ReferenceAddress], out _)
            : parseProblem;

        Assert.Equal(expected, problem);
    }

    [Fact]
    public void Vector_ValidReceipt_NamesTheHashOfTelemetrySeq13InTheCapture()
    {
        // The hash comes from the capture bytes (independently of any code under test).
        var line = File.ReadLines(Path.Combine(AppContext.BaseDirectory, "vectors", "valid-multi-chain.jsonl"))
            .Select(l => Convert.FromBase64String(System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("b64").GetString()!))
            .Single(p => Encoding.UTF8.GetString(p).Contains($"\"epoch\":\"{Epoch}\",\"seq\":13,", StringComparison.Ordinal));
        var vector = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "vectors", "receipt-valid.json"));

        Assert.True(Receipt.TryParse(vector, out var receipt, out _));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(line)), receipt!.Hash);
        Assert.Null(receipt.CheckSigner(["0x7564105E977516C53bE337314c7E53838967bDaC"], out _));
    }
}
