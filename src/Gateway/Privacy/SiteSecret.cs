namespace EdgeTwin.Gateway.Privacy;

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
