namespace EdgeTwin.Telemetry.Tests.Signing;

using System.Numerics;
using System.Security.Cryptography;
using EdgeTwin.Telemetry.Signing;

public sealed class Eip191Tests
{
    private static readonly BigInteger N = BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void ReferenceCheckpoint_RecoversTheReferenceAddress()
    {
        // Alarm chain checkpoint of the shared vectors: covers seq 0..1, prev = hash of seq 1.
        var digest = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
            "ETP1-CHECKPOINT\nward7-bed12\nalarm\nfedcba9876543210fedcba9876543210\n1\n32965ffec29c888babd06f2ba207c7bed3ba83df3202295f7a0ce31114c08533"));
        const string sig = "0x0bc8266ddc4a67684a444494ea68a43512cf2437d4941f00bf57ce1b4f5ee6fd45a86b189072d55d55ebccbcc73c7f5a083d7a21b85f4d3c7f899c6f54860a711b";

        Assert.True(Eip191.TryRecover(digest, sig, out var address, out _));
        Assert.Equal(TestKeys.ReferenceAddress, address, ignoreCase: true);
    }

    [Theory]
    [InlineData("0x1234", Eip191.SigLength)]
    [InlineData("", Eip191.SigLength)]
    public void ShortSignatures_AreNamedProblems(string sig, string expected)
    {
        Assert.False(Eip191.TryRecover(new byte[32], sig, out var address, out var problem));
        Assert.Null(address);
        Assert.Equal(expected, problem);
    }

    [Fact]
    public void UppercaseHex_IsRefused_SoACheckpointsBytesCannotChangeUnnoticed()
    {
        using var key = TestKeys.Reference();
        var digest = SHA256.HashData("x"u8);
        var sig = key.SignDigest(digest);
        var upper = "0x" + sig[2..].ToUpperInvariant();
        Assert.NotEqual(sig, upper);

        Assert.True(Eip191.TryRecover(digest, sig, out _, out _));
        Assert.Equal(Eip191.SigNotHex, ProblemOf(digest, upper));
    }

    [Fact]
    public void NonHex_BadV_HighS_AndZeroR_AreNamedProblems()
    {
        using var key = TestKeys.Reference();
        var digest = SHA256.HashData("x"u8);
        var sig = key.SignDigest(digest);

        Assert.Equal(Eip191.SigNotHex, ProblemOf(digest, sig[..^2] + "zz"));
        Assert.Equal(Eip191.SigBadV, ProblemOf(digest, sig[..^2] + "1d"));
        Assert.Equal(Eip191.SigOutOfRange, ProblemOf(digest, "0x" + new string('0', 64) + sig[66..]));

        // The malleated twin (r, n - s, flipped v) recovers the same key in lax libraries; we refuse it.
        var s = new BigInteger(Convert.FromHexString(sig[66..130]), isUnsigned: true, isBigEndian: true);
        var highS = Convert.ToHexStringLower((N - s).ToByteArray(isUnsigned: true, isBigEndian: true)).PadLeft(64, '0');
        var flippedV = sig[^2..] == "1b" ? "1c" : "1b";
        Assert.Equal(Eip191.SigHighS, ProblemOf(digest, sig[..66] + highS + flippedV));
    }

    [Fact]
    public void WrongDigest_RecoversSomeoneElse()
    {
        using var key = TestKeys.Reference();
        var sig = key.SignDigest(SHA256.HashData("a"u8));
        Assert.True(Eip191.TryRecover(SHA256.HashData("b"u8), sig, out var address, out _));
        Assert.NotEqual(key.Address, address);
    }

    private static string? ProblemOf(byte[] digest, string sig)
    {
        Assert.False(Eip191.TryRecover(digest, sig, out _, out var problem));
        return problem;
    }

    [Fact]
    public void RThatIsNoCurvePoint_IsUnrecoverable_NotAnException()
    {
        // Found by the tamper property test: Nethereum threw NullReferenceException here.
        // x = 5 has no point on secp256k1 (5^3 + 7 = 132 is not a square mod p).
        var sig = "0x" + new string('0', 63) + "5" + new string('0', 63) + "1" + "1b";
        Assert.False(Eip191.TryRecover(new byte[32], sig, out var address, out var problem));
        Assert.Equal((null, Eip191.SigUnrecoverable), (address, problem));
    }
}
