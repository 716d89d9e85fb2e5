namespace EdgeTwin.Integration.Tests.Support;

/// <summary>
/// A real size-limited filesystem for a test: a tmpfs of the given size mounted on a new temporary
/// directory (needs root, as in CI), unmounted on dispose. <see cref="Fill"/> plays another process
/// filling the disk; <see cref="Unfill"/> makes the room again.
/// </summary>
internal sealed class SmallFilesystem : IDisposable
{
    private SmallFilesystem(string path, string? refusal)
    {
        Path = path;
        Refusal = refusal;
    }

    public string Path { get; }

    /// <summary>Why the filesystem could not be mounted (null: it is mounted).</summary>
    public string? Refusal { get; }

    public bool Mounted => Refusal is null;

    private string FillerPath => System.IO.Path.Combine(Path, "filler");

    public static SmallFilesystem Mount(string size)
    {
        var path = Directory.CreateTempSubdirectory("edgetwin-fs-").FullName;
        var (code, output) = Command.Run("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", path);
        return new SmallFilesystem(path, code == 0 ? null : $"mount -t tmpfs -o size={size} failed ({code}): {output.Trim()}");
    }

    public long AvailableBytes => new DriveInfo(Path).AvailableFreeSpace;

    /// <summary>Writes a file until the filesystem says it is full; returns its size.</summary>
    public long Fill()
    {
        var buffer = new byte[64 * 1024];
        long written = 0;
        using var file = new FileStream(FillerPath, FileMode.Append, FileAccess.Write, FileShare.None, 1);
        try
        {
            while (true)
            {
                file.Write(buffer);
                written += buffer.Length;
            }
        }
        catch (IOException)
        {
            // Full; write the last bytes one page at a time.
        }

        var page = new byte[4096];
        try
        {
            while (true)
            {
                file.Write(page);
                written += page.Length;
            }
        }
        catch (IOException)
        {
            // Full to the page.
        }

        try
        {
            file.Dispose();
        }
        catch (IOException)
        {
            // What did not fit is not in the file.
        }

        return written;
    }

    /// <summary>Writes to the filler until about <paramref name="freeBytes"/> are left free (a disk filling, not full); returns the bytes written.</summary>
    public long FillLeaving(long freeBytes)
    {
        var buffer = new byte[64 * 1024];
        long written = 0;
        using var file = new FileStream(FillerPath, FileMode.Append, FileAccess.Write, FileShare.None, 1);
        while (AvailableBytes - buffer.Length >= freeBytes)
        {
            file.Write(buffer);
            file.Flush();
            written += buffer.Length;
        }

        return written;
    }

    public void Unfill() => File.Delete(FillerPath);

    public void Dispose()
    {
        if (Mounted)
        {
            Command.Run("umount", "-l", Path);
        }

        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Still busy: left to the temp cleaner.
        }
    }
}
