namespace EdgeTwin.Gateway.Privacy;

using System.Globalization;
using System.Security.Cryptography;

/// <summary>
/// The site secret keying patient pseudonyms: 32 random bytes kept as 64 hex digits in a file only
/// the service account may read. Whoever holds it can link pseudonyms to hospital numbers, so a
/// file that group or others can read is refused rather than used.
/// </summary>
internal sealed class SiteSecret
{
    private const int KeyBytes = 32;

    private const UnixFileMode ForbiddenModes =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

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
        if (!File.Exists(path))
        {
            throw new SiteSecretException($"site secret file '{path}' does not exist");
        }

        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & ForbiddenModes) != 0)
            {
                throw new SiteSecretException(
                    $"site secret file '{path}' has mode {Convert.ToString((int)mode, 8)}: group or others may access it; run 'chmod 600 {path}'");
            }
        }

        var text = File.ReadAllText(path).Trim();
        if (text.Length != KeyBytes * 2 || !text.All(Uri.IsHexDigit))
        {
            throw new SiteSecretException(
                $"site secret file '{path}' must hold exactly {KeyBytes * 2} hex digits (it holds {text.Length.ToString(CultureInfo.InvariantCulture)} characters)");
        }

        return new SiteSecret(Convert.FromHexString(text));
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

    private static bool TryCreate(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var hex = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(KeyBytes)) + "\n";
        try
        {
            using var stream = new FileStream(path, options);
            stream.Write(System.Text.Encoding.ASCII.GetBytes(hex));
            stream.Flush(flushToDisk: true);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first: never overwrite, use theirs.
            return false;
        }
    }
}
