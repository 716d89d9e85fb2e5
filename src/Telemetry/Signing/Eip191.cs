namespace EdgeTwin.Telemetry.Signing;

using System.Numerics;
using NBitcoin.Secp256k1;
using Nethereum.Util;

/// <summary>
/// Strict EIP-191 personal-sign recovery for 32-byte digests (PROTOCOL §5): <c>0x</c> + 130 lowercase hex,
/// r and s in 1..n-1, s in the lower half (no malleated twin), v 27 or 28.
/// </summary>
public static class Eip191
{
    /// <summary>secp256k1 group order n.</summary>
    private static readonly BigInteger N = BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
    private static readonly BigInteger HalfN = N / 2;
    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    /// <summary>Problem names, stable for reports and tests.</summary>
    public const string SigLength = "sig-length";
    public const string SigNotHex = "sig-not-hex";
    public const string SigBadV = "sig-bad-v";
    public const string SigHighS = "sig-high-s";
    public const string SigOutOfRange = "sig-out-of-range";
    public const string SigUnrecoverable = "sig-unrecoverable";

    /// <summary><c>0x</c> + 40 hex digits of either case: the shape of a signer address (PROTOCOL §1).</summary>
    public static bool IsAddress(string? value) => value is not null && Wire.Syntax.IsAddress(value);

    /// <summary>Whether two addresses are the same key (EIP-55 checksum case aside); false when either is null.</summary>
    public static bool SameAddress(string? a, string? b) => a is not null && b is not null && string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    /// <summary>What an EIP-191 personal signature over a 32-byte digest signs: Keccak-256 of the prefix and the digest.</summary>
    internal static byte[] MessageHash(ReadOnlySpan<byte> digest32) =>
        Sha3Keccack.Current.CalculateHash([.. "\u0019Ethereum Signed Message:\n32"u8, .. digest32]);

    /// <summary>The signer of <paramref name="sig"/> over <paramref name="digest32"/>, through the installed <see cref="Secp256k1Accelerator"/> if any.</summary>
    public static bool TryRecover(ReadOnlySpan<byte> digest32, string sig, out string? address, out string? problem) =>
        TryRecover(digest32, sig, Secp256k1Accelerator.Current, out address, out problem);

    /// <summary>The signer of <paramref name="sig"/> over <paramref name="digest32"/>: the same checks, then recovery through <paramref name="accelerator"/>, or the managed port when null.</summary>
    public static bool TryRecover(ReadOnlySpan<byte> digest32, string sig, ISecp256k1Accelerator? accelerator, out string? address, out string? problem)
    {
        address = null;
        if (digest32.Length != 32)
        {
            throw new ArgumentException("digest must be 32 bytes", nameof(digest32));
        }

        if (sig is null || sig.Length != 132 || sig[0] != '0' || sig[1] != 'x')
        {
            problem = SigLength;
            return false;
        }

        // Lowercase only (docs/protocol.md §5): "A" and "a" decode alike, so a signature that also
        // accepted uppercase would let a checkpoint's bytes (and hash) change without detection.
        if (sig.AsSpan(2).ContainsAnyExcept(LowerHex))
        {
            problem = SigNotHex;
            return false;
        }

        var raw = new byte[65];
        if (Convert.FromHexString(sig.AsSpan(2), raw, out _, out var written) != System.Buffers.OperationStatus.Done || written != 65)
        {
            problem = SigNotHex;
            return false;
        }

        var v = raw[64];
        if (v is not (27 or 28))
        {
            problem = SigBadV;
            return false;
        }

        var r = new BigInteger(raw.AsSpan(0, 32), isUnsigned: true, isBigEndian: true);
        var s = new BigInteger(raw.AsSpan(32, 32), isUnsigned: true, isBigEndian: true);
        if (r.IsZero || r >= N || s.IsZero || s >= N)
        {
            problem = SigOutOfRange;
            return false;
        }

        if (s > HalfN)
        {
            problem = SigHighS;
            return false;
        }

        var hash = MessageHash(digest32);
        Span<byte> uncompressed = stackalloc byte[65];
        if (accelerator is not null)
        {
            if (!accelerator.TryRecover(hash, raw.AsSpan(0, 64), v - 27, uncompressed))
            {
                problem = SigUnrecoverable;
                return false;
            }
        }
        else
        {
            // Recovery through NBitcoin.Secp256k1 (the libsecp256k1 port Nethereum itself ships with):
            // several times faster than Nethereum's BouncyCastle path, and failures come back as false.
            if (!SecpRecoverableECDSASignature.TryCreateFromCompact(raw.AsSpan(0, 64), v - 27, out var signature) || signature is null
                || !ECPubKey.TryRecover(Context.Instance, signature, hash, out var publicKey) || publicKey is null)
            {
                problem = SigUnrecoverable;
                return false;
            }

            publicKey.WriteToSpan(false, uncompressed, out _);
        }

        var keyHash = Sha3Keccack.Current.CalculateHash(uncompressed[1..].ToArray());
        address = AddressUtil.Current.ConvertToChecksumAddress(Convert.ToHexStringLower(keyHash.AsSpan(12)));
        problem = null;
        return true;
    }
}
