namespace EdgeTwin.Telemetry.Signing;

using System.Security.Cryptography;

/// <summary>
/// A faster implementation of the two secp256k1 operations the protocol's signatures need (PROTOCOL §1,
/// §5): public-key recovery and deterministic signing. It must give exactly the managed path's answers:
/// <see cref="Secp256k1Accelerator.TryInstall"/> checks that before any use.
/// </summary>
public interface ISecp256k1Accelerator
{
    /// <summary>What it is, for the start-up log.</summary>
    string Name { get; }

    /// <summary>
    /// The 65-byte uncompressed public key (<c>04</c> x y) whose key signed <paramref name="hash32"/> with the
    /// compact signature r||s (big-endian, 64 bytes) and <paramref name="recoveryId"/> (0 or 1); false when none did.
    /// </summary>
    bool TryRecover(ReadOnlySpan<byte> hash32, ReadOnlySpan<byte> compact64, int recoveryId, Span<byte> uncompressed65);

    /// <summary>The RFC 6979 signature of <paramref name="hash32"/>, s in the lower half: r||s into <paramref name="compact64"/> and its recovery id.</summary>
    void SignRecoverable(ReadOnlySpan<byte> hash32, ReadOnlySpan<byte> privateKey32, Span<byte> compact64, out int recoveryId);
}

/// <summary>
/// The process's <see cref="ISecp256k1Accelerator"/>, if one is installed (the ingest installs native
/// libsecp256k1: about 4x faster recovery and 8x faster signing than the managed port, docs/ingest.md
/// "Signatures"). None by default: <see cref="Eip191.TryRecover(ReadOnlySpan{byte}, string, out string?, out string?)"/>
/// and <see cref="GatewayKey.SignDigest(ReadOnlySpan{byte})"/> then use the managed path.
/// </summary>
public static class Secp256k1Accelerator
{
    private static volatile ISecp256k1Accelerator? current;

    /// <summary>The installed accelerator, or null (the managed path).</summary>
    public static ISecp256k1Accelerator? Current => current;

    /// <summary>
    /// Installs <paramref name="accelerator"/> once it has given the managed path's answers: signatures by
    /// <see cref="SelfCheckCases"/> fixed keys over fixed digests, identical to the character; the signer's
    /// address recovered from each; and a signature no key made refused. Anything else (a different answer,
    /// an exception such as a native library that does not load) leaves the managed path in place and says why.
    /// </summary>
    public static bool TryInstall(ISecp256k1Accelerator accelerator, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        try
        {
            problem = SelfCheck(accelerator);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            problem = $"{ex.GetType().Name}: {ex.Message}";
        }

        if (problem is null)
        {
            current = accelerator;
        }

        return problem is null;
    }

    /// <summary>Keys and digests <see cref="TryInstall"/> compares on.</summary>
    public const int SelfCheckCases = 16;

    private static string? SelfCheck(ISecp256k1Accelerator accelerator)
    {
        for (var i = 0; i < SelfCheckCases; i++)
        {
            var seed = SHA256.HashData(BitConverter.GetBytes(i));
            using var key = GatewayKey.FromPrivateKeyHex(Convert.ToHexString(seed));
            var digest = SHA256.HashData(seed);
            var managed = key.SignDigest(digest, null);
            var accelerated = key.SignDigest(digest, accelerator);
            if (managed != accelerated)
            {
                return $"case {i}: signature {accelerated} differs from the managed path's {managed}";
            }

            if (!Eip191.TryRecover(digest, managed, accelerator, out var address, out var sigProblem) || !Eip191.SameAddress(address, key.Address))
            {
                return $"case {i}: recovered {address ?? sigProblem} instead of {key.Address}";
            }
        }

        // r = 5 is no point's x on the curve: no key made this signature, and neither path may say one did.
        var forged = "0x" + new string('0', 63) + "5" + new string('0', 63) + "7" + "1b";
        var check = SHA256.HashData("edgetwin"u8);
        var managedAnswer = Eip191.TryRecover(check, forged, null, out var managedSigner, out _);
        var acceleratedAnswer = Eip191.TryRecover(check, forged, accelerator, out var acceleratedSigner, out _);
        return managedAnswer || acceleratedAnswer
            ? $"a signature no key made was taken: managed {managedSigner ?? "refused"}, accelerated {acceleratedSigner ?? "refused"}"
            : null;
    }
}
