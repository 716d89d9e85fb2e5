namespace EdgeTwin.Telemetry.Tests.Signing;

using System.Security.Cryptography;
using EdgeTwin.Telemetry.Signing;

/// <summary>
/// An accelerator is installed only after it gave the managed path's answers. The fakes here answer
/// wrongly or fail to load on purpose; none of them signs or recovers with the code under test.
/// </summary>
public sealed class Secp256k1AcceleratorTests
{
    [Fact]
    public void AnAcceleratorWhoseLibraryDoesNotLoad_IsNotInstalled_AndSaysWhy()
    {
        Assert.False(Secp256k1Accelerator.TryInstall(new Unloadable(), out var problem));
        Assert.Equal("DllNotFoundException: libsecp256k1.so: cannot open shared object file", problem);
        Assert.IsNotType<Unloadable>(Secp256k1Accelerator.Current);
    }

    [Fact]
    public void AnAcceleratorThatSignsDifferently_IsNotInstalled_AndNamesTheCase()
    {
        Assert.False(Secp256k1Accelerator.TryInstall(new WrongSigner(), out var problem));
        Assert.StartsWith("case 0: signature 0x" + new string('1', 128) + "1b differs from the managed path's 0x", problem, StringComparison.Ordinal);
        Assert.IsNotType<WrongSigner>(Secp256k1Accelerator.Current);
    }

    [Fact]
    public void AnAcceleratorThatNamesASignerForASignatureNoKeyMade_IsNotInstalled()
    {
        // Signs and recovers through NBitcoin's libsecp256k1 port directly (the library, not EdgeTwin's
        // code), but where that finds no key it names the generator's: the self-check's forged signature exposes it.
        Assert.False(Secp256k1Accelerator.TryInstall(new TakesEverything(), out var problem));
        Assert.Equal("a signature no key made was taken: managed refused, accelerated 0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf", problem);
        Assert.IsNotType<TakesEverything>(Secp256k1Accelerator.Current);
    }

    [Fact]
    public void SignDigest_WithoutAnAccelerator_IsTheReferenceVectorsSignature()
    {
        using var key = TestKeys.Reference();
        var digest = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
            "ETP1-CHECKPOINT\nward7-bed12\nalarm\nfedcba9876543210fedcba9876543210\n1\n32965ffec29c888babd06f2ba207c7bed3ba83df3202295f7a0ce31114c08533"));
        Assert.Equal(
            "0x0bc8266ddc4a67684a444494ea68a43512cf2437d4941f00bf57ce1b4f5ee6fd45a86b189072d55d55ebccbcc73c7f5a083d7a21b85f4d3c7f899c6f54860a711b",
            key.SignDigest(digest, null));
    }

    [Fact]
    public void SignDigest_WithoutAnAccelerator_IsNethereumsSignature_On200RandomKeys()
    {
        // Nethereum's own signer as the reference, for keys it can sign with (32 bytes as a number).
        var nethereum = new Nethereum.Signer.EthereumMessageSigner();
        for (var signed = 0; signed < 200;)
        {
            var bytes = RandomNumberGenerator.GetBytes(32);
            if (bytes[0] == 0)
            {
                continue;
            }

            using var key = GatewayKey.FromPrivateKeyHex(Convert.ToHexString(bytes));
            var digest = RandomNumberGenerator.GetBytes(32);
            Assert.Equal(nethereum.Sign(digest, new Nethereum.Signer.EthECKey(bytes, true)).ToLowerInvariant(), key.SignDigest(digest, null));
            signed++;
        }
    }

    [Fact]
    public void AKeyWithALeadingZeroByte_Signs_AndItsSignatureNamesIt()
    {
        // Nethereum's signer refused such a key (one in 256 of keys not made by Generate): "b32 should be of length 32".
        using var key = GatewayKey.FromPrivateKeyHex("00" + Convert.ToHexString(SHA256.HashData("leading zero"u8))[2..]);
        var digest = SHA256.HashData("d"u8);
        var sig = key.SignDigest(digest, null);
        Assert.True(Eip191.TryRecover(digest, sig, null, out var signer, out var problem), problem);
        Assert.Equal(key.Address, signer);
    }

    private sealed class Unloadable : ISecp256k1Accelerator
    {
        public string Name => "unloadable";

        public bool TryRecover(ReadOnlySpan<byte> hash32, ReadOnlySpan<byte> compact64, int recoveryId, Span<byte> uncompressed65) =>
            throw new DllNotFoundException("libsecp256k1.so: cannot open shared object file");

        public void SignRecoverable(ReadOnlySpan<byte> hash32, ReadOnlySpan<byte> privateKey32, Span<byte> compact64, out int recoveryId) =>
            throw new DllNotFoundException("libsecp256k1.so: cannot open shared object file");
    }

    private sealed class WrongSigner : ISecp256k1Accelerator
    {
        public string Name => "wrong";

        public bool TryRecover(ReadOnlySpan<byte> hash32, ReadOnlySpan<byte> compact64, int recoveryId, Span<byte> uncompressed65) => false;

        public void SignRecoverable(ReadOnlySpan<byte> hash32, ReadOnlySpan<byte> privateKey32, Span<byte> compact64, out int recoveryId)
        {
            compact64.Fill(0x11);
            recoveryId = 0;
        }
    }

    private sealed class TakesEverything : ISecp256k1Accelerator
    {
        // A fixed point's encoding: 04, then x and y of the generator G.
        private static readonly byte[] G = Convert.FromHexString(
            "0479BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8");

        public string Name => "takes everything";

        public bool TryRecover(ReadOnlySpan<byte> hash32, ReadOnlySpan<byte> compact64, int recoveryId, Span<byte> uncompressed65)
        {
            if (NBitcoin.Secp256k1.SecpRecoverableECDSASignature.TryCreateFromCompact(compact64, recoveryId, out var sig) && sig is not null
                && NBitcoin.Secp256k1.ECPubKey.TryRecover(NBitcoin.Secp256k1.Context.Instance, sig, hash32, out var key) && key is not null)
            {
                key.WriteToSpan(false, uncompressed65, out _);
                return true;
            }

            G.CopyTo(uncompressed65);
            return true;
        }

        public void SignRecoverable(ReadOnlySpan<byte> hash32, ReadOnlySpan<byte> privateKey32, Span<byte> compact64, out int recoveryId)
        {
            Assert.True(NBitcoin.Secp256k1.ECPrivKey.TryCreate(privateKey32, out var key));
            Assert.True(key!.TrySignRecoverable(hash32, out var sig));
            sig!.WriteToSpanCompact(compact64, out recoveryId);
        }
    }
}
