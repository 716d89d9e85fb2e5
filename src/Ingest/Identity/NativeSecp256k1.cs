namespace EdgeTwin.Ingest.Identity;

using EdgeTwin.Telemetry.Signing;
using Secp256k1Net;

/// <summary>
/// Signature recovery and signing through bitcoin-core's libsecp256k1 (the Secp256k1.Net package's native
/// builds): on this box about 39 us a recovery and 21 us a signature, against 154 and 170 us for the
/// managed port. With many gateways each checkpoint is a recovery and each chain a batch advances a
/// signed receipt (docs/ingest.md "Signatures"). Installed only after it gave the managed path's answers
/// (<see cref="Secp256k1Accelerator.TryInstall"/>).
/// </summary>
internal sealed class NativeSecp256k1 : ISecp256k1Accelerator
{
    public static readonly NativeSecp256k1 Instance = new();

    private NativeSecp256k1()
    {
    }

    public string Name => "libsecp256k1 (native, Secp256k1.Net)";

    public bool TryRecover(ReadOnlySpan<byte> hash32, ReadOnlySpan<byte> compact64, int recoveryId, Span<byte> uncompressed65)
    {
        if (recoveryId is not (0 or 1))
        {
            return false;
        }

        byte[] key;
        try
        {
            key = Secp256k1.RecoverPublicKey(compact64, (byte)recoveryId, hash32, compressed: false);
        }
        catch (ArgumentException)
        {
            // The library's answer for a signature no key made (r not a point's x, r or s out of range).
            return false;
        }

        if (key.Length != 65)
        {
            return false;
        }

        key.CopyTo(uncompressed65);
        return true;
    }

    public void SignRecoverable(ReadOnlySpan<byte> hash32, ReadOnlySpan<byte> privateKey32, Span<byte> compact64, out int recoveryId)
    {
        var (signature, id) = Secp256k1.SignRecoverable(hash32, privateKey32);
        signature.AsSpan(0, 64).CopyTo(compact64);
        recoveryId = id;
    }
}
