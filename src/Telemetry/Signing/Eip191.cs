namespace EdgeTwin.Telemetry.Signing;

using System.Numerics;
using Nethereum.Signer;
using Nethereum.Util;

/// <summary>
/// Strict EIP-191 personal-sign recovery for 32-byte digests (PROTOCOL §5): <c>0x</c> + 130 hex,
/// r and s in 1..n-1, s in the lower half (no malleated twin), v 27 or 28.
/// </summary>
public static class Eip191
{
    /// <summary>secp256k1 group order n.</summary>
    private static readonly BigInteger N = BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
    private static readonly BigInteger HalfN = N / 2;

    /// <summary>Problem names, stable for reports and tests.</summary>
    public const string SigLength = "sig-length";
    public const string SigNotHex = "sig-not-hex";
    public const string SigBadV = "sig-bad-v";
    public const string SigHighS = "sig-high-s";
    public const string SigOutOfRange = "sig-out-of-range";
    public const string SigUnrecoverable = "sig-unrecoverable";

    public static bool TryRecover(ReadOnlySpan<byte> digest32, string sig, out string? address, out string? problem)
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

        try
        {
            var hash = new Sha3Keccack().CalculateHash([.. "\u0019Ethereum Signed Message:\n32"u8, .. digest32]);
            var signature = EthECDSASignatureFactory.FromComponents(raw.AsSpan(0, 32).ToArray(), raw.AsSpan(32, 32).ToArray(), v);
            address = EthECKey.RecoverFromSignature(signature, hash)?.GetPublicAddress();
            problem = address is null ? SigUnrecoverable : null;
            return address is not null;
        }
        catch (Exception)
        {
            // Nethereum throws whatever its curve code hits when r is no x-coordinate on secp256k1
            // (a NullReferenceException, among others): every one of them means "no signer".
            problem = SigUnrecoverable;
            return false;
        }
    }
}
