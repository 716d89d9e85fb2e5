namespace EdgeTwin.Telemetry.Tests.Receipts;

using System.Security.Cryptography;
using System.Text;
using EdgeTwin.Telemetry.Receipts;

public sealed class ResendRequestTests
{
    private const string Epoch = "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf";

    [Fact]
    public void Digest_IsSha256OfTheDocumentedText()
    {
        var text = $"ETP1-RESEND\nward7-bed12\ntelemetry\n{Epoch}\n6\n7";

        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(text)), ResendRequest.Digest("ward7-bed12", "telemetry", Epoch, 6, 7));
    }

    [Fact]
    public void Signed_RoundTrips_AndVerifiesForItsSignerOnly()
    {
        using var ingest = TestKeys.Reference();
        var request = ResendRequest.Sign("gw-1", "telemetry", Epoch, 10, 20, ingest);

        Assert.True(ResendRequest.TryParse(request.ToPayload(), out var parsed, out _));
        Assert.Equal(request, parsed);
        Assert.Null(parsed!.CheckSigner([TestKeys.ReferenceAddress], out _));
        Assert.Equal(StatementProblems.UnlistedSigner, parsed.CheckSigner(["0x7564105E977516C53bE337314c7E53838967bDaC"], out _));
        Assert.NotNull((parsed with { To = 2000 }).CheckSigner([TestKeys.ReferenceAddress], out _));
    }

    [Fact]
    public void AReceiptSignature_DoesNotMakeARequest()
    {
        using var ingest = TestKeys.Reference();
        var receiptSig = Receipt.Sign("gw-1", "telemetry", Epoch, 6, new string('a', 64), ingest).Sig;

        Assert.NotNull(new ResendRequest("gw-1", "telemetry", Epoch, 6, 7, receiptSig).CheckSigner([TestKeys.ReferenceAddress], out _));
    }

    [Theory]
    [InlineData("""{"gw":"gw-1","lane":"telemetry","epoch":"EPOCH","from":9,"to":8,"sig":"0x"}""", "bad-range")]
    [InlineData("""{"gw":"gw-1","lane":"telemetry","epoch":"EPOCH","from":1,"sig":"0x"}""", "malformed")]
    [InlineData("""{"gw":"gw-1","lane":"telemetry","epoch":"EPOCH","from":1,"to":2}""", "malformed")]
    [InlineData("""{"gw":"gw-1","lane":"telemetry","epoch":"EPOCH","from":1,"to":9007199254740992,"sig":"0x"}""", "malformed")]
    public void Malformed_IsRefused(string template, string expected)
    {
        Assert.False(ResendRequest.TryParse(Encoding.UTF8.GetBytes(template.Replace("EPOCH", Epoch, StringComparison.Ordinal)), out _, out var problem));
        Assert.Equal(expected, problem);
    }
}
