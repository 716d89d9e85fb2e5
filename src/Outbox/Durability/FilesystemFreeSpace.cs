namespace EdgeTwin.Outbox.Durability;

/// <summary>
/// The filesystem's own figures: <see cref="DriveInfo"/> of the directory, which on Linux is statvfs
/// of the mount holding it (<c>f_bavail</c>: what a non-root writer may still use), not the size of any file.
/// </summary>
public sealed class FilesystemFreeSpace : IFreeSpace
{
    public static readonly FilesystemFreeSpace Instance = new();

    public FilesystemSpace? Measure(string directory)
    {
        try
        {
            var drive = new DriveInfo(Path.GetFullPath(directory));
            return new FilesystemSpace(drive.AvailableFreeSpace, drive.TotalSize);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }
}
