namespace EdgeTwin.Telemetry.Tests.Verification;

using System.Numerics;
using System.Text;
using EdgeTwin.Telemetry.Verification;

/// <summary>Every kind of bad record is a named problem; nothing throws, nothing else changes.</summary>
public sealed class BadInputTests
{
    private const string Good = "{\"etp\":1,\"gw\":\"gw-1\",\"lane\":\"telemetry\",\"epoch\":\"0123456789abcdef0123456789abcdef\",\"seq\":1,\"prev\":\"" +
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"ts\":\"2026-11-27T16:00:00.000Z\",\"clock\":\"synced\",\"kind\":\"obs\",\"body\":{\"v\":[1]}}";

    [Theory]
    [InlineData("", "malformed-json")]
    [InlineData("{", "malformed-json")]
    [InlineData("[1,2]", "not-an-object")]
    [InlineData("{\"etp\":1,}", "malformed-json")]
    [InlineData("\"etp\":1", "not-an-object")]
    public void MalformedJson_IsUnattributed(string text, string expected)
    {
        var v = new StreamVerifier(new VerifierOptions());
        var o = v.Add(Encoding.UTF8.GetBytes(text));
        Assert.Equal((RecordStatus.Rejected, expected, (ChainKey?)null), (o.Status, o.Problem, o.Chain));
        Assert.Equal(1, v.Unattributed);
        Assert.Empty(v.Report());
        Assert.Single(v.UnattributedProblems);
    }

    [Theory]
    [InlineData("\"etp\":1", "\"etp\":2", "wrong-etp")]
    [InlineData("\"etp\":1", "\"etp\":\"1\"", "wrong-etp")]
    [InlineData("\"etp\":1", "\"etp\":1.0", "wrong-etp")]
    [InlineData("\"etp\":1,", "", "missing-member:etp")]
    [InlineData("\"clock\":\"synced\",", "", "missing-member:clock")]
    [InlineData(",\"body\":{\"v\":[1]}", "", "missing-member:body")]
    [InlineData("\"seq\":1", "\"seq\":1,\"seq\":2", "duplicate-member:seq")]
    [InlineData("\"prev\":\"aaaa", "\"prev\":\"AAAA", "non-hex-hash:prev")]
    [InlineData("\"prev\":\"aaaa", "\"prev\":\"zzaa", "non-hex-hash:prev")]
    [InlineData("\"prev\":\"aaaa", "\"prev\":\"aaa", "non-hex-hash:prev")]
    [InlineData("\"prev\":\"aaaa", "\"prev\":\"aAaa", "non-hex-hash:prev")]
    [InlineData("\"prev\":\"aaaa", "\"prev\":\"0xaa", "non-hex-hash:prev")]
    [InlineData("\"prev\":\"aaaa", "\"prev\":\" aaa", "non-hex-hash:prev")]
    [InlineData("aaaa\",\"ts", "aaag\",\"ts", "non-hex-hash:prev")]
    [InlineData("\"seq\":1", "\"seq\":9223372036854775808", "seq-out-of-range")]
    [InlineData("\"seq\":1", "\"seq\":9007199254740992", "seq-out-of-range")]
    [InlineData("\"seq\":1", "\"seq\":-1", "seq-out-of-range")]
    [InlineData("\"seq\":1", "\"seq\":1.5", "bad-member:seq")]
    [InlineData("\"seq\":1", "\"seq\":1e0", "bad-member:seq")]
    [InlineData("\"seq\":1", "\"seq\":\"1\"", "bad-member:seq")]
    [InlineData("\"ts\":\"2026-11-27T16:00:00.000Z\"", "\"ts\":\"2026-11-27 16:00:00Z\"", "bad-member:ts")]
    [InlineData("\"clock\":\"synced\"", "\"clock\":\"ntp\"", "bad-member:clock")]
    [InlineData("\"body\":{\"v\":[1]}", "\"body\":[1]", "bad-member:body")]
    [InlineData("\"kind\":\"obs\"", "\"kind\":\"checkpoint\"", "missing-member:body.sig")]
    [InlineData("\"kind\":\"obs\"", "\"kind\":\"genesis\"", "genesis-not-at-seq-0")]
    [InlineData("\"kind\":\"obs\",\"body\":{\"v\":[1]}", "\"kind\":\"gap\",\"body\":{\"from\":1,\"to\":1,\"firstPrev\":\"x\",\"lastHash\":\"y\",\"reason\":\"quota\"}", "non-hex-hash:body")]
    [InlineData("}}", "}} trailing", "malformed-json")]
    public void BadMember_IsRejectedAgainstItsChain(string from, string to, string expected)
    {
        var text = Good.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(Good, text);
        var v = new StreamVerifier(new VerifierOptions());

        var o = v.Add(Encoding.UTF8.GetBytes(text));

        Assert.Equal((RecordStatus.Rejected, expected), (o.Status, o.Problem));
        var attributed = v.Report().SingleOrDefault();
        Assert.Equal(1, (attributed?.Rejected ?? 0) + v.Unattributed);
        Assert.Equal(0, attributed?.Received ?? 0);
    }

    [Fact]
    public void GoodTemplate_IsAccepted()
    {
        var v = new StreamVerifier(new VerifierOptions());
        Assert.Equal(RecordStatus.New, v.Add(Encoding.UTF8.GetBytes(Good)).Status);
    }

    [Fact]
    public void InvalidUtf8_IsNamed()
    {
        var bytes = Encoding.UTF8.GetBytes(Good.Replace("[1]", "[1],\"x\":\"\u00e9\"", StringComparison.Ordinal));
        bytes[Array.IndexOf(bytes, (byte)0xC3)] = 0xFF;
        var o = new StreamVerifier(new VerifierOptions()).Add(bytes);
        Assert.Equal(VerifierProblems.InvalidUtf8, o.Problem);
    }

    [Fact]
    public void RecordOver64KiB_IsTooLarge()
    {
        var big = Good.Replace("[1]", "[1],\"pad\":\"" + new string('x', 65536) + "\"", StringComparison.Ordinal);
        var o = new StreamVerifier(new VerifierOptions()).Add(Encoding.UTF8.GetBytes(big));
        Assert.Equal((RecordStatus.Rejected, VerifierProblems.TooLarge), (o.Status, o.Problem));
    }

    [Fact]
    public void UnknownMembers_AreIgnored_ButStillHashed()
    {
        var text = Good.Replace("\"etp\":1,", "\"etp\":1,\"extra\":{\"seq\":99},", StringComparison.Ordinal);
        var o = new StreamVerifier(new VerifierOptions()).Add(Encoding.UTF8.GetBytes(text));
        Assert.Equal((RecordStatus.New, 1L), (o.Status, o.Seq));
    }

    [Theory]
    [InlineData("short")]
    [InlineData("high-s")]
    [InlineData("bad-v")]
    [InlineData("non-hex")]
    public void MalformedCheckpointSignature_IsABadSig(string how)
    {
        using var key = TestKeys.Reference();
        var chain = TestChains.Telemetry(key, 2, every: 100);
        var text = Encoding.UTF8.GetString(chain[^1].Payload);
        var at = text.IndexOf("\"sig\":\"", StringComparison.Ordinal) + 7;
        var sig = text.Substring(at, 132);
        var bad = how switch
        {
            "short" => sig[..130],
            "bad-v" => sig[..130] + "00",
            "non-hex" => sig[..130] + "g1",
            _ => HighS(sig),
        };
        var payloads = chain.Select(c => c.Payload).ToList();
        payloads[^1] = Encoding.UTF8.GetBytes(text.Replace(sig, bad, StringComparison.Ordinal));
        var v = new StreamVerifier(new VerifierOptions());
        payloads.ForEach(p => v.Add(p));

        var r = Assert.Single(v.Report());
        Assert.Equal((1L, 0L), (r.BadSigs, r.Verified));
        Assert.Contains(r.Problems, p => p.Contains("bad-sig:sig-", StringComparison.Ordinal));
    }

    private static string HighS(string sig)
    {
        var n = BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
        var s = new BigInteger(Convert.FromHexString(sig[66..130]), isUnsigned: true, isBigEndian: true);
        return sig[..66] + Convert.ToHexStringLower((n - s).ToByteArray(isUnsigned: true, isBigEndian: true)).PadLeft(64, '0') + (sig[^2..] == "1b" ? "1c" : "1b");
    }
}
