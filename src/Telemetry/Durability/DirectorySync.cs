namespace EdgeTwin.Telemetry.Durability;

using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

/// <summary>
/// fsync of a directory: a created, renamed or deleted file is durable only once its directory
/// entry is. .NET has no API for it (a FileStream refuses directories), so this calls libc.
/// </summary>
public static partial class DirectorySync
{
    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return; // NTFS journals directory entries; there is no fsync of a directory to call.
        }

        var fd = Open(directory, 0); // O_RDONLY: a directory opens read-only without O_DIRECTORY
        if (fd < 0)
        {
            throw new IOException($"cannot open directory '{directory}' to sync it (errno {Marshal.GetLastPInvokeError()})");
        }

        // The one fsync (FileSync: retried on EINTR, an IOException naming the errno when it fails); the handle closes it.
        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        FileSync.Flush(handle, directory);
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);
}
