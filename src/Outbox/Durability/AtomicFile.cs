namespace EdgeTwin.Outbox.Durability;

using EdgeTwin.Telemetry.Durability;

/// <summary>
/// A small file replaced whole or not at all: written beside (<c>.new</c>), fsync'd, renamed over the
/// old one, and its directory fsync'd, so a power cut leaves the old content or the new, never a mix;
/// a write that fails (a full disk) leaves the old file as it was and no <c>.new</c> beside it.
/// </summary>
public static class AtomicFile
{
    public static void Replace(string path, string text)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temp = full + ".new";
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                stream.Write(System.Text.Encoding.UTF8.GetBytes(text));
                FileSync.Flush(stream);
            }

            File.Move(temp, full, overwrite: true);
        }
        catch (IOException)
        {
            // A full or failing disk: nothing half-written is left beside the old file either.
            File.Delete(temp);
            throw;
        }

        DirectorySync.Flush(directory);
    }
}
