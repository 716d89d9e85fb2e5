namespace EdgeTwin.Outbox.Encryption;

using System.Globalization;
using System.Security.Cryptography;
using EdgeTwin.Telemetry.Durability;

/// <summary>
/// A 32-byte secret kept as 64 hex digits (and a newline) in a file only the service account may
/// read: the site secret and the storage key. A file that group or others can access is refused
/// rather than used; a new one appears whole or not at all (written beside, fsync'd, then linked
/// into place without overwriting), so a power cut never leaves a half-written key behind.
/// </summary>
public static class SecretFile
{
    public const int KeyBytes = 32;

    private const UnixFileMode ForbiddenModes =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>The secret in <paramref name="path"/>; <paramref name="what"/> ("site secret") starts every error message.</summary>
    public static byte[] Read(string path, string what)
    {
        try
        {
            if (!File.Exists(path))
            {
                throw new SecretFileException($"{what} file '{path}' does not exist");
            }

            if (!OperatingSystem.IsWindows())
            {
                var mode = File.GetUnixFileMode(path);
                if ((mode & ForbiddenModes) != 0)
                {
                    throw new SecretFileException(
                        $"{what} file '{path}' has mode {Convert.ToString((int)mode, 8)}: group or others may access it; run 'chmod 600 {path}'");
                }
            }

            var text = File.ReadAllText(path).Trim();
            if (text.Length != KeyBytes * 2 || !text.All(Uri.IsHexDigit))
            {
                throw new SecretFileException(
                    $"{what} file '{path}' must hold exactly {KeyBytes * 2} hex digits (it holds {text.Length.ToString(CultureInfo.InvariantCulture)} characters)");
            }

            return Convert.FromHexString(text);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SecretFileException($"{what} file '{path}' cannot be read by this service ({ex.Message})", ex);
        }
    }

    /// <summary>Creates a new random secret (mode 0600); false when the file appeared meanwhile (never overwritten).</summary>
    public static bool Create(string path) => WriteNew(path, RandomNumberGenerator.GetBytes(KeyBytes));

    /// <summary>
    /// Writes <paramref name="secret"/> to a new file (mode 0600), whole or not at all; false when the
    /// file appeared meanwhile (never overwritten). A full disk throws (the <see cref="IOException"/>
    /// of the write) and leaves nothing behind.
    /// </summary>
    public static bool WriteNew(string path, ReadOnlySpan<byte> secret)
    {
        if (secret.Length != KeyBytes)
        {
            throw new ArgumentException($"a secret is {KeyBytes} bytes", nameof(secret));
        }

        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        return PrivateFile.WriteNew(full, System.Text.Encoding.ASCII.GetBytes(Convert.ToHexStringLower(secret) + "\n"));
    }
}
