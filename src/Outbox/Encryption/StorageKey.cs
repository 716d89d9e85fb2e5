namespace EdgeTwin.Outbox.Encryption;

using System.Security.Cryptography;
using System.Text;

/// <summary>
/// The key the outbox and the twin store are encrypted with at rest (LiteDB AES, DESIGN decision 8):
/// 32 random bytes in a key file (mode 0600; the gateway's <c>Gateway:StorageKeyFile</c>). Each
/// store gets its own password derived from the key (HKDF-SHA256 with the store's name), so the key
/// itself never reaches LiteDB. <c>ToString</c> never shows it.
/// </summary>
public sealed class StorageKey
{
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

    /// <summary>
    /// Loads the key in <paramref name="path"/>; with <paramref name="generateWhenMissing"/> a missing
    /// file is generated first (0600, whole or not at all). <see cref="SecretFileException"/> when it
    /// cannot be read (missing, loose mode, malformed); <see cref="IOException"/> when it cannot be created.
    /// </summary>
    public static StorageKey Open(string path, bool generateWhenMissing)
    {
        RefuseUnfinishedRotation(path);
        var created = generateWhenMissing && !File.Exists(path) && SecretFile.Create(path);
        return new StorageKey(path, SecretFile.Read(path, What), created);
    }

    /// <summary>
    /// A new random key for <paramref name="path"/> kept in memory only (the disk is full): write it
    /// with <see cref="WriteNew"/> before anything is encrypted with it.
    /// </summary>
    public static StorageKey GenerateInMemory(string path) => new(System.IO.Path.GetFullPath(path), RandomNumberGenerator.GetBytes(SecretFile.KeyBytes), created: true);

    /// <summary>
    /// Writes a key made by <see cref="GenerateInMemory"/> to its file (0600, whole or not at all).
    /// True when written, or when the file holds this very key already; <see cref="SecretFileException"/>
    /// when another key appeared there meanwhile; a full disk throws its <see cref="IOException"/>.
    /// </summary>
    public bool WriteNew()
    {
        if (SecretFile.WriteNew(Path, _key))
        {
            return true;
        }

        return SecretFile.Read(Path, What).AsSpan().SequenceEqual(_key)
            ? true
            : throw new SecretFileException($"{What} file '{Path}' appeared while this gateway's key waited in memory, and holds another key");
    }

    /// <summary>An existing key file, never generated (tools reading a store: <c>edgetwin outbox</c>).</summary>
    public static StorageKey Load(string path)
    {
        RefuseUnfinishedRotation(path);
        return new(System.IO.Path.GetFullPath(path), SecretFile.Read(path, What), created: false);
    }

    /// <summary>A key from known bytes (tests; nothing is read or written).</summary>
    public static StorageKey FromBytes(string path, ReadOnlySpan<byte> key) => new(path, key.ToArray(), created: false);

    /// <summary>The LiteDB password of one store (<c>outbox</c>, <c>twin</c>).</summary>
    public string PasswordFor(string store) =>
        Convert.ToHexStringLower(HKDF.DeriveKey(HashAlgorithmName.SHA256, _key, SecretFile.KeyBytes, salt: [], info: Encoding.ASCII.GetBytes("edgetwin-store/" + store)));

    /// <summary>What to tell an operator about a store that is encrypted with another key: the store is left exactly as it is.</summary>
    public string MismatchProblem(string storeFile) =>
        Created
            ? $"'{storeFile}' is encrypted, but '{Path}' did not exist and was generated at this start: restore the storage key from the backup (the generated file can be deleted). The store is left untouched."
            : $"'{storeFile}' is encrypted with another key than the one in '{Path}' (or its key check is damaged): restore the right storage key. The store is left untouched.";

    /// <summary>Stores may be under either key while <see cref="StorageKeyRotation"/> is unfinished: nothing opens them then.</summary>
    private static void RefuseUnfinishedRotation(string path)
    {
        if (File.Exists(path + StorageKeyRotation.NextSuffix))
        {
            throw new SecretFileException($"a rotation of the storage key '{path}' was interrupted ('{path}{StorageKeyRotation.NextSuffix}' exists, and the stores may be under either key): run 'edgetwin storage-key' again to finish it");
        }
    }

    public override string ToString() => $"storage key in '{Path}'";
}
