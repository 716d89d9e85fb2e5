namespace EdgeTwin.Ingest.Tests.Identity;

using System.Security.Cryptography;
using EdgeTwin.Ingest.Identity;
using EdgeTwin.Telemetry.Signing;

/// <summary>
/// The ingest's native libsecp256k1 gives exactly the managed path's answers: the same signature
/// characters, the same signer, the same refusals. Each case asks both paths by name.
/// </summary>
public sealed class NativeSecp256k1Tests
{
    private static readonly System.Numerics.BigInteger HalfN = System.Numerics.BigInteger.Parse(
        "0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture) / 2;

    [Fact]
    public void LoadsOnThisMachine_AndPassesTheSelfCheck()
    {
        Assert.True(Secp256k1Accelerator.TryInstall(NativeSecp256k1.Instance, out var problem), problem);
        Assert.Same(NativeSecp256k1.Instance, Secp256k1Accelerator.Current);
    }

    [Fact]
    public void Signs_AsTheManagedPathDoes_AndRecoversTheSigner_On300RandomKeysAndDigests()
    {
        for (var i = 0; i < 300; i++)
        {
            using var key = GatewayKey.FromPrivateKeyHex(Convert.ToHexString(RandomNumberGenerator.GetBytes(32)));
            var digest = RandomNumberGenerator.GetBytes(32);

            var managed = key.SignDigest(digest, null);
            Assert.Equal(managed, key.SignDigest(digest, NativeSecp256k1.Instance));

            Assert.True(Eip191.TryRecover(digest, managed, NativeSecp256k1.Instance, out var native, out _));
            Assert.True(Eip191.TryRecover(digest, managed, null, out var reference, out _));
            Assert.Equal(key.Address, native);
            Assert.Equal(key.Address, reference);
        }
    }

    [Fact]
    public void AKeyWithLeadingZeroBytes_SignsAsTheManagedPathDoes()
    {
        using var key = GatewayKey.FromPrivateKeyHex("0000" + Convert.ToHexString(RandomNumberGenerator.GetBytes(30)));
        var digest = SHA256.HashData("leading zeros"u8);
        Assert.Equal(key.SignDigest(digest, null), key.SignDigest(digest, NativeSecp256k1.Instance));
    }

    [Fact]
    public void RandomSignatures_AreTakenOrRefused_AsTheManagedPathDoes_WithTheSameSigner()
    {
        // r and s random in range, s in the lower half, v 27 or 28: about half are some key's signature
        // (r is a point's x), the rest no key's. Both paths must agree on which, and on the key.
        int taken = 0, refused = 0;
        for (var i = 0; i < 400; i++)
        {
            var digest = RandomNumberGenerator.GetBytes(32);
            var rs = RandomNumberGenerator.GetBytes(64);
            rs[0] &= 0x7f;
            rs[32] &= 0x7f;
            Assert.True(new System.Numerics.BigInteger(rs.AsSpan(32), isUnsigned: true, isBigEndian: true) <= HalfN);
            var sig = "0x" + Convert.ToHexStringLower(rs) + (i % 2 == 0 ? "1b" : "1c");

            var nativeTook = Eip191.TryRecover(digest, sig, NativeSecp256k1.Instance, out var nativeSigner, out var nativeProblem);
            var managedTook = Eip191.TryRecover(digest, sig, null, out var managedSigner, out var managedProblem);
            Assert.Equal(managedTook, nativeTook);
            Assert.Equal(managedSigner, nativeSigner);
            Assert.Equal(managedProblem, nativeProblem);
            _ = managedTook ? taken++ : refused++;
        }

        Assert.InRange(taken, 100, 300);
        Assert.InRange(refused, 100, 300);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(-1)]
    public void RecoveryIdsOtherThanZeroOrOne_FindNoKey(int recoveryId)
    {
        using var key = GatewayKey.FromPrivateKeyHex(Convert.ToHexString(SHA256.HashData("k"u8)));
        var digest = SHA256.HashData("d"u8);
        var sig = Convert.FromHexString(key.SignDigest(digest, null)[2..]);
        Span<byte> uncompressed = stackalloc byte[65];
        Assert.False(NativeSecp256k1.Instance.TryRecover(SHA256.HashData(digest), sig.AsSpan(0, 64), recoveryId, uncompressed));
    }
}
