namespace EdgeTwin.Telemetry.Durability;

using System.Globalization;

/// <summary>
/// A new file only its owner may read (mode 0600), whole or not at all and never overwritten: the
/// key and secret files (the gateway key, the site secret, the storage key).
/// </summary>
public static class PrivateFile
{
    /// <summary>
    /// Writes <paramref name="content"/> to the new file <paramref name="path"/> (its directory must
    /// exist): written beside (<c>.new-PID</c>), flushed to the disk (<see cref="FileSync"/>), renamed
    /// into place and the directory flushed (<see cref="DirectorySync"/>), so a full or failing disk or
    /// a power cut never leaves an empty or half-written file behind, and a file that exists after the
    /// return survives a power cut. False when the file appeared meanwhile (another process created it
    /// first; it is not overwritten). An <see cref="IOException"/> of the write or of either fsync
    /// propagates and leaves nothing behind.
    /// </summary>
    public static bool WriteNew(string path, ReadOnlySpan<byte> content)
    {
        var full = Path.GetFullPath(path);
        var temp = $"{full}.new-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}";
        File.Delete(temp); // a leftover of a crash: created anew below, so the mode is ours
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(content);
                FileSync.Flush(stream); // not Flush(true): .NET returns from it when the fsync failed (FileSync)
            }

            try
            {
                File.Move(temp, full, overwrite: false);
            }
            catch (IOException) when (File.Exists(full))
            {
                return false;
            }

            // The rename is durable only with its directory: without this a power cut soon after could
            // take the file back (a gateway would then come up with a new key).
            DirectorySync.Flush(Path.GetDirectoryName(full)!);
            return true;
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
