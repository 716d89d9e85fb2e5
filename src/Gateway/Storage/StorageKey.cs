namespace EdgeTwin.Gateway.Storage;

using System.Security.Cryptography;
using System.Text;
using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

/// <summary>
/// The key the outbox and the twin store are encrypted with at rest (LiteDB AES, DESIGN decision 8):
/// 32 random bytes in <c>Gateway:StorageKeyFile</c> (mode 0600). The default file in the data
/// directory is generated on first start; a configured one must exist, because it lives on separate
/// protected storage and a missing file there more likely means that storage is not mounted than
/// that the gateway is new. Each store gets its own password derived from the key (HKDF-SHA256 with
/// the store's name), so the key itself never reaches LiteDB. <c>ToString</c> never shows it.
/// </summary>
internal sealed class StorageKey
{
    public const string Setting = "Gateway:StorageKeyFile";
    private const string What = "storage key";

    private readonly byte[] _key;

    private StorageKey(string path, byte[] key, bool created)
    {
        Path = path;
        _key = key;
        Created = created;
    }

    /// <summary>The key file (error messages name it).</summary>
    public string Path { get; }

    /// <summary>Generated at this start: an encrypted store that does not open with it was written with a lost key.</summary>
    public bool Created { get; }

    /// <summary>Loads the key, generating the default file on first start. <see cref="StartupException"/> naming the file otherwise.</summary>
    public static StorageKey ForGateway(GatewayOptions options)
    {
        var path = options.StorageKeyFileFullPath;
        try
        {
            var created = !options.StorageKeyFileConfigured && !File.Exists(path) && SecretFile.Create(path);
            return new StorageKey(path, SecretFile.Read(path, What), created);
        }
        catch (SecretFileException ex)
        {
            var hint = options.StorageKeyFileConfigured && !File.Exists(path)
                ? " (a configured key is never generated: is its storage mounted? Leave the setting empty to use one in the data directory)"
                : "";
            throw new StartupException(Setting, ex.Message + hint, ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StartupException(Setting, $"{What} file '{path}' cannot be created ({ex.Message})", ex);
        }
    }

    /// <summary>The gateway's key as a service (one per process; the outbox and the twin share it), its generation logged.</summary>
    public static StorageKey FromServices(IServiceProvider services)
    {
        var key = ForGateway(services.GetRequiredService<IOptions<GatewayOptions>>().Value);
        if (key.Created)
        {
            GatewayLog.StorageKeyGenerated(services.GetRequiredService<ILogger<StorageKey>>(), key.Path);
        }

        return key;
    }

    /// <summary>An existing key file, never generated (tools reading a store: <c>edgetwin outbox</c>).</summary>
    internal static StorageKey Load(string path) => new(System.IO.Path.GetFullPath(path), SecretFile.Read(path, What), created: false);

    /// <summary>Tests only: a key from known bytes.</summary>
    internal static StorageKey FromBytes(string path, ReadOnlySpan<byte> key) => new(path, key.ToArray(), created: false);

    /// <summary>The LiteDB password of one store (<c>outbox</c>, <c>twin</c>).</summary>
    public string PasswordFor(string store) =>
        Convert.ToHexStringLower(HKDF.DeriveKey(HashAlgorithmName.SHA256, _key, SecretFile.KeyBytes, salt: [], info: Encoding.ASCII.GetBytes("edgetwin-store/" + store)));

    /// <summary>The startup error for a store that is encrypted with another key: the store is left exactly as it is.</summary>
    public StartupException Mismatch(string storeFile) => new(Setting,
        Created
            ? $"'{storeFile}' is encrypted, but '{Path}' did not exist and was generated at this start: restore the storage key from the backup (the generated file can be deleted). The store is left untouched."
            : $"'{storeFile}' is encrypted with another key than the one in '{Path}' (or its key check is damaged): restore the right storage key. The store is left untouched.");

    public override string ToString() => $"storage key in '{Path}'";
}
