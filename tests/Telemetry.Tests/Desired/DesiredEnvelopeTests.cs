namespace EdgeTwin.Telemetry.Tests.Desired;

using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using EdgeTwin.Telemetry.Desired;

public sealed class DesiredEnvelopeTests
{
    private static readonly DateTimeOffset Issued = new(2026, 11, 27, 16, 0, 0, TimeSpan.Zero);

    private static DesiredDocument Doc(string gw = "ward7-bed12", long version = 5) =>
        new(gw, version, Issued, new JsonObject { ["checkpoint"] = new JsonObject { ["maxRecords"] = 128 }, ["rate"] = 0.5 });

    [Fact]
    public void SignedByOperator_ForUs_Newer_IsAccepted()
    {
        using var op = TestKeys.Reference();
        var envelope = DesiredEnvelope.Sign(Doc(), op);

        var check = DesiredEnvelope.Verify(envelope, "ward7-bed12", 4, [op.Address.ToLowerInvariant()]);

        Assert.True(check.Accepted, check.Problem);
        Assert.Equal(op.Address, check.Signer);
        Assert.Equal(("ward7-bed12", 5L, Issued), (check.Document!.Gw, check.Document.Version, check.Document.Issued));
        Assert.Equal(128, check.Document.State["checkpoint"]!["maxRecords"]!.GetValue<int>());
    }

    [Fact]
    public void Envelope_HasTheProtocolShape_AndSigCoversTheDocBytes()
    {
        using var op = TestKeys.Reference();
        var text = Encoding.UTF8.GetString(DesiredEnvelope.Sign(Doc(), op));
        var node = JsonNode.Parse(text)!.AsObject();

        Assert.Equal(["doc", "sig"], node.Select(p => p.Key));
        var doc = node["doc"]!.GetValue<string>();
        Assert.Equal("{\"gw\":\"ward7-bed12\",\"version\":5,\"issued\":\"2026-11-27T16:00:00.000Z\",\"state\":{\"checkpoint\":{\"maxRecords\":128},\"rate\":0.5}}", doc);
        Assert.True(EdgeTwin.Telemetry.Signing.Eip191.TryRecover(SHA256.HashData(Encoding.UTF8.GetBytes(doc)), node["sig"]!.GetValue<string>(), out var signer, out _));
        Assert.Equal(op.Address, signer);
    }

    [Fact]
    public void OtherKey_IsNotSignedByOperator()
    {
        using var op = TestKeys.Reference();
        using var stranger = TestKeys.Other();
        var check = DesiredEnvelope.Verify(DesiredEnvelope.Sign(Doc(), stranger), "ward7-bed12", 0, [op.Address]);
        Assert.Equal((false, DesiredEnvelope.NotSignedByOperator, (DesiredDocument?)null), (check.Accepted, check.Problem, check.Document));
        Assert.Equal(stranger.Address, check.Signer);
    }

    [Fact]
    public void OtherGateway_IsWrongGw()
    {
        using var op = TestKeys.Reference();
        var check = DesiredEnvelope.Verify(DesiredEnvelope.Sign(Doc("ward7-bed13"), op), "ward7-bed12", 0, [op.Address]);
        Assert.Equal((false, DesiredEnvelope.WrongGw), (check.Accepted, check.Problem));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    public void NotNewerThanApplied_IsStale(long lastApplied)
    {
        using var op = TestKeys.Reference();
        var check = DesiredEnvelope.Verify(DesiredEnvelope.Sign(Doc(version: 5), op), "ward7-bed12", lastApplied, [op.Address]);
        Assert.Equal((false, DesiredEnvelope.StaleVersion), (check.Accepted, check.Problem));
    }

    [Fact]
    public void TamperedDoc_RecoversSomeoneElse()
    {
        using var op = TestKeys.Reference();
        var text = Encoding.UTF8.GetString(DesiredEnvelope.Sign(Doc(version: 5), op)).Replace("\\u0022version\\u0022:5", "\\u0022version\\u0022:9", StringComparison.Ordinal)
            .Replace("\\\"version\\\":5", "\\\"version\\\":9", StringComparison.Ordinal);
        Assert.Contains("version\\\":9", text, StringComparison.Ordinal);
        var check = DesiredEnvelope.Verify(Encoding.UTF8.GetBytes(text), "ward7-bed12", 0, [op.Address]);
        Assert.Equal(DesiredEnvelope.NotSignedByOperator, check.Problem);
    }

    [Fact]
    public void DocWithTrailingGarbage_IsMalformed_EvenWhenProperlySigned()
    {
        using var op = TestKeys.Reference();
        const string doc = "{\"gw\":\"ward7-bed12\",\"version\":7,\"issued\":\"2026-11-27T16:00:00.000Z\",\"state\":{}} {\"version\":99}";
        var envelope = Envelope(doc, op.SignDigest(SHA256.HashData(Encoding.UTF8.GetBytes(doc))));

        var check = DesiredEnvelope.Verify(envelope, "ward7-bed12", 0, [op.Address]);

        Assert.Equal((false, DesiredEnvelope.Malformed, op.Address), (check.Accepted, check.Problem, check.Signer));
    }

    [Theory]
    [InlineData("{\"gw\":\"ward7-bed12\",\"version\":7,\"version\":8,\"issued\":\"2026-11-27T16:00:00.000Z\",\"state\":{}}")]
    [InlineData("{\"gw\":\"ward7-bed12\",\"version\":7.5,\"issued\":\"2026-11-27T16:00:00.000Z\",\"state\":{}}")]
    [InlineData("{\"gw\":\"ward7-bed12\",\"version\":\"7\",\"issued\":\"2026-11-27T16:00:00.000Z\",\"state\":{}}")]
    [InlineData("{\"gw\":\"ward7-bed12\",\"version\":7,\"issued\":\"yesterday\",\"state\":{}}")]
    [InlineData("{\"gw\":\"ward7-bed12\",\"version\":7,\"issued\":\"2026-11-27T16:00:00.000Z\",\"state\":[]}")]
    [InlineData("{\"gw\":\"ward7-bed12\",\"version\":7,\"issued\":\"2026-11-27T16:00:00.000Z\"}")]
    [InlineData("[]")]
    public void SignedButMalformedDoc_IsMalformed(string doc)
    {
        using var op = TestKeys.Reference();
        var envelope = Envelope(doc, op.SignDigest(SHA256.HashData(Encoding.UTF8.GetBytes(doc))));
        Assert.Equal(DesiredEnvelope.Malformed, DesiredEnvelope.Verify(envelope, "ward7-bed12", 0, [op.Address]).Problem);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"doc\":\"{}\"}")]
    [InlineData("{\"doc\":\"{}\",\"sig\":\"0x00\"} garbage")]
    [InlineData("{\"doc\":{},\"sig\":\"0x00\"}")]
    [InlineData("{\"doc\":\"{}\",\"doc\":\"{}\",\"sig\":\"0x00\"}")]
    public void MalformedEnvelope_IsMalformed(string text) =>
        Assert.Equal(DesiredEnvelope.Malformed, DesiredEnvelope.Verify(Encoding.UTF8.GetBytes(text), "ward7-bed12", 0, ["0x1563915e194D8CfBA1943570603F7606A3115508"]).Problem);

    [Fact]
    public void BadSignature_AndTooLarge_AreNamed()
    {
        Assert.Equal(DesiredEnvelope.BadSignature, DesiredEnvelope.Verify("{\"doc\":\"{}\",\"sig\":\"0x00\"}"u8, "gw", 0, []).Problem);
        var big = Encoding.UTF8.GetBytes("{\"doc\":\"" + new string('x', 70_000) + "\",\"sig\":\"0x00\"}");
        Assert.Equal(DesiredEnvelope.TooLarge, DesiredEnvelope.Verify(big, "gw", 0, []).Problem);
    }

    private static byte[] Envelope(string doc, string sig)
    {
        var node = new JsonObject { ["doc"] = doc, ["sig"] = sig };
        return Encoding.UTF8.GetBytes(node.ToJsonString());
    }
}
