namespace EdgeTwin.Telemetry.Signing;

using System.Security.Cryptography;
using System.Text;
using EdgeTwin.Telemetry.Durability;
using Nethereum.Signer;

/// <summary>
/// The gateway's secp256k1 key (PROTOCOL §1). The file holds <c>0x</c> + 64 hex digits and a newline,
/// mode 0600. The private key is never shown by <see cref="ToString"/>, logged or serialised.
/// </summary>
public sealed class GatewayKey : ICheckpointSigner, IDisposable
{
    private readonly EthECKey key;
    private bool disposed;

    static GatewayKey()
    {
        // The anchoring key's EVM transactions (EcKey): same deterministic signatures, several times faster
        // (libsecp256k1 port instead of BouncyCastle). SignDigest calls the port itself.
        EthECKey.SignRecoverable = true;
    }

    private GatewayKey(EthECKey key)
    {
        this.key = key;
        Address = key.GetPublicAddress();
    }

    public string Address { get; }

    public static GatewayKey Generate() => new(EthECKey.GenerateKey());

    /// <summary>Tests and vectors only: a key from <c>[0x]</c> + 64 hex digits.</summary>
    public static GatewayKey FromPrivateKeyHex(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        var digits = hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex[2..] : hex;
        if (digits.Length != 64 || !digits.All(char.IsAsciiHexDigit))
        {
            throw new ArgumentException("a private key is 64 hex digits, optionally prefixed 0x", nameof(hex));
        }

        var bytes = Convert.FromHexString(digits);
        try
        {
            if (bytes.All(b => b == 0))
            {
                throw new ArgumentException("the zero key is not a key", nameof(hex));
            }

            return new GatewayKey(new EthECKey(bytes, true));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>
    /// Beside the key file, a prepared gateway key rotation: <c>gateway.key.next</c>, written by
    /// <c>edgetwin gateway-key rotate</c> and taken by the gateway at its next start (docs/operations.md "Keys").
    /// </summary>
    public const string NextFileSuffix = ".next";

    public static GatewayKey LoadFromFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new KeyFileException($"key file '{path}' does not exist");
        }

        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            const UnixFileMode groupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
            if ((mode & groupOrOther) != 0)
            {
                throw new KeyFileException($"key file '{path}' is accessible by group or others (mode {Convert.ToString((int)mode, 8)}); chmod 600 it");
            }
        }

        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.ASCII).Trim();
        }
        catch (IOException e)
        {
            throw new KeyFileException($"key file '{path}' cannot be read: {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new KeyFileException($"key file '{path}' cannot be read: {e.Message}", e);
        }

        try
        {
            return FromPrivateKeyHex(text);
        }
        catch (ArgumentException)
        {
            // The message must not echo the file content: it may be a key.
            throw new KeyFileException($"key file '{path}' is malformed: expected 0x followed by 64 hex digits");
        }
    }

    /// <summary>
    /// The key in <paramref name="path"/>, generated there first (0600) when the file does not exist.
    /// Several processes sharing one key file (ingest workers) may start at once: whoever creates the
    /// file first wins and the others load it.
    /// </summary>
    public static GatewayKey LoadOrCreate(string path, out bool created)
    {
        ArgumentNullException.ThrowIfNull(path);
        created = false;
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            using var generated = Generate();
            try
            {
                generated.SaveToFile(path);
                created = true;
            }
            catch (KeyFileException) when (File.Exists(path))
            {
                // Another process created it first: use theirs.
            }
        }

        return LoadFromFile(path);
    }

    /// <summary>
    /// Writes the key to a new file with mode 0600; never overwrites. Whole or not at all
    /// (<see cref="PrivateFile.WriteNew"/>): a full disk, a failing disk or a power cut never leaves an
    /// empty or half-written key file behind, and a key file that exists after the return survives a
    /// power cut (an <see cref="IOException"/> of the write or either fsync propagates).
    /// </summary>
    public void SaveToFile(string path)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(path);
        if (File.Exists(path))
        {
            throw new KeyFileException($"key file '{path}' already exists; refusing to overwrite it");
        }

        // Nethereum writes the key as a number, without its leading zero bytes (one key in 256 starts
        // with one): the file always holds all 64 digits, as LoadFromFile requires.
        var text = Encoding.ASCII.GetBytes("0x" + key.GetPrivateKey().Replace("0x", string.Empty, StringComparison.Ordinal).PadLeft(64, '0') + "\n");
        try
        {
            if (!PrivateFile.WriteNew(path, text))
            {
                throw new KeyFileException($"key file '{path}' already exists; refusing to overwrite it");
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(text);
        }
    }

    /// <summary>The key itself, for signing EVM transactions (the anchoring key, EdgeTwin.Anchoring).</summary>
    internal EthECKey EcKey
    {
        get
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            return key;
        }
    }

    /// <summary>The EIP-191 signature of a 32-byte digest (PROTOCOL §5), through the installed <see cref="Secp256k1Accelerator"/> if any.</summary>
    public string SignDigest(ReadOnlySpan<byte> digest) => SignDigest(digest, Secp256k1Accelerator.Current);

    /// <summary>
    /// The EIP-191 signature of a 32-byte digest: through <paramref name="accelerator"/>, or NBitcoin's
    /// libsecp256k1 port when null; the same characters either way (RFC 6979, s in the lower half).
    /// </summary>
    public string SignDigest(ReadOnlySpan<byte> digest, ISecp256k1Accelerator? accelerator)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (digest.Length != 32)
        {
            throw new ArgumentException("a checkpoint digest is 32 bytes", nameof(digest));
        }

        var hash = Eip191.MessageHash(digest);

        // Nethereum gives the key as a number, without its leading zero bytes (one key in 256 has one, if
        // not made by Generate, which retries those): its own signer passed that short key to the port,
        // which refused it, so such a key could not sign at all. Here it is always 32 bytes.
        // (GetPrivateKeyAsBytes hands out the key's own array: copied, never cleared.)
        var number = key.GetPrivateKeyAsBytes();
        var privateKey = new byte[32];
        number.CopyTo(privateKey, 32 - number.Length);
        Span<byte> compact = stackalloc byte[65];
        try
        {
            int recoveryId;
            if (accelerator is not null)
            {
                accelerator.SignRecoverable(hash, privateKey, compact[..64], out recoveryId);
            }
            else
            {
                // What Nethereum's EthereumMessageSigner does with EthECKey.SignRecoverable (identical output, the reference vectors).
                if (!NBitcoin.Secp256k1.ECPrivKey.TryCreate(privateKey, out var ecKey) || ecKey is null || !ecKey.TrySignRecoverable(hash, out var signature) || signature is null)
                {
                    throw new CryptographicException("the key did not sign");
                }

                using (ecKey)
                {
                    signature.WriteToSpanCompact(compact[..64], out recoveryId);
                }
            }

            compact[64] = checked((byte)(27 + recoveryId));
            return "0x" + Convert.ToHexStringLower(compact);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(privateKey);
        }
    }

    public override string ToString() => $"GatewayKey({Address})";

    public void Dispose() => disposed = true;
}
