namespace EdgeTwin.Telemetry.Durability;

using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

/// <summary>
/// fsync of an open file that fails when the fsync fails. .NET's own <c>FileStream.Flush(true)</c> and
/// <c>RandomAccess.FlushToDisk</c> call fsync but return normally when it fails on Linux (seen with
/// .NET 10.0.12: strace shows <c>fsync(23) = -1 EIO</c> and <c>Flush(true)</c> returns. A dotnet/runtime
/// source of System.Native's <c>SystemNative_FSync</c> shows a likely cause: it loops on
/// <c>(result = fsync(fd) &lt; 0) &amp;&amp; errno == EINTR</c>, storing the comparison, so the managed check
/// for a negative result never sees the failure). A commit whose fsync failed is not on the disk: it
/// must not count as committed, nor be published. Found with the power-cut disk
/// (tests/Integration/Support/powercut_fs.py), whose fsyncs fail once its power is off;
/// Integration/Outbox/FailedFsyncTests.
/// </summary>
public static partial class FileSync
{
    private const int Eintr = 4;

    /// <summary>The stream's buffered bytes to the kernel, then fsync; an <see cref="IOException"/> (HResult the errno, e.g. ENOSPC) when the fsync fails.</summary>
    public static void Flush(FileStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Flush(flushToDisk: false);
        Flush(stream.SafeFileHandle, stream.Name);
    }

    /// <summary>fsync of <paramref name="handle"/> (the file <paramref name="path"/>, for the message); an <see cref="IOException"/> when it fails.</summary>
    public static void Flush(SafeFileHandle handle, string path)
    {
        if (OperatingSystem.IsWindows())
        {
            RandomAccess.FlushToDisk(handle); // FlushFileBuffers: its failure does throw
            return;
        }

        while (Fsync(handle) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno != Eintr)
            {
                throw new IOException($"fsync of '{path}' failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})", errno);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(SafeFileHandle fd);
}
