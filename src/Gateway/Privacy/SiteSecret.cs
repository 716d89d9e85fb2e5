namespace EdgeTwin.Gateway.Privacy;

using System.Security.Cryptography;
using EdgeTwin.Outbox.Encryption;

/// <summary>
/// The site secret keying patient pseudonyms: 32 random bytes kept as 64 hex digits in a file only
/// the service account may read. Whoever holds it can link pseudonyms to hospital numbers, so a
/// file that group or others can read is refused rather than used.
/// </summary>
internal sealed class SiteSecret
{
    private const int KeyBytes = SecretFile.KeyBytes;

    private SiteSecret(byte[] key) => Key = key;

    internal ReadOnlySpan<byte> KeySpan => Key;

    private byte[] Key { get; }

    /// <summary>Loads the secret, creating it (mode 0600) when the file does not exist yet.</summary>
    public static SiteSecret LoadOrCreate(string path, out bool created)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        created = false;
        if (!File.Exists(path))
        {
            created = TryCreate(path);
        }

        return Load(path);
    }

    public static SiteSecret Load(string path)
    {
        try
        {
            return new SiteSecret(SecretFile.Read(path, "site secret"));
        }
        catch (SecretFileException ex)
        {
            throw new SiteSecretException(ex.Message);
        }
    }

    /// <summary>A new random secret kept in memory only (the disk is full): write it with <see cref="WriteNew"/>.</summary>
    public static SiteSecret GenerateInMemory() => new(RandomNumberGenerator.GetBytes(KeyBytes));

    /// <summary>
    /// Writes a secret made by <see cref="GenerateInMemory"/> to <paramref name="path"/> (0600, whole
    /// or not at all); fine when the file holds this very secret already. <see cref="SiteSecretException"/>
    /// when another secret appeared there meanwhile; a full disk throws its <see cref="IOException"/>.
    /// </summary>
    public void WriteNew(string path)
    {
        if (!SecretFile.WriteNew(path, Key) && !Load(path).KeySpan.SequenceEqual(Key))
        {
            throw new SiteSecretException($"site secret file '{path}' appeared while this gateway's secret waited in memory, and holds another secret");
        }
    }

    /// <summary>Tests only: a secret from known bytes.</summary>
    internal static SiteSecret FromBytes(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyBytes)
        {
            throw new ArgumentException($"a site secret is {KeyBytes} bytes", nameof(key));
        }

        return new SiteSecret(key.ToArray());
    }

    private static bool TryCreate(string path) => SecretFile.Create(path);
}
