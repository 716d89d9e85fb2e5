namespace EdgeTwin.Outbox.Durability;

/// <summary>Tells a full filesystem from other I/O failures, wherever in an exception chain it sits.</summary>
public static class StorageFaults
{
    // errno values .NET puts in IOException.HResult on Unix; Windows' ERROR_DISK_FULL / ERROR_HANDLE_DISK_FULL.
    private const int Enospc = 28;
    private const int Edquot = 122;
    private const int ErrorHandleDiskFull = unchecked((int)0x80070027);
    private const int ErrorDiskFull = unchecked((int)0x80070070);

    /// <summary>Whether <paramref name="exception"/> (or one it wraps) says the filesystem has no room left.</summary>
    public static bool IsOutOfSpace(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is IOException io && (io.HResult is Enospc or Edquot or ErrorHandleDiskFull or ErrorDiskFull
                || io.Message.Contains("No space left on device", StringComparison.OrdinalIgnoreCase)
                || io.Message.Contains("Disk quota exceeded", StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Runs a dispose or rollback after a failed write: it may try to write again (buffers, LiteDB's
    /// checkpoint) and fail the same way; the files are reopened (or the process ends) and LiteDB's
    /// recovery sorts out what they hold.
    /// </summary>
    public static void Quietly(Action dispose)
    {
        try
        {
            dispose();
        }
        catch (Exception ex) when (ex is IOException or LiteDB.LiteException or ObjectDisposedException or InvalidOperationException)
        {
            // See above: nothing to do but go on.
        }
    }

    /// <summary>
    /// Closes a store after a failed write: disposes each of <paramref name="resources"/> that is there,
    /// in order (the database before the streams under it), each <see cref="Quietly"/>.
    /// </summary>
    public static void CloseQuietly(params IDisposable?[] resources)
    {
        foreach (var resource in resources)
        {
            if (resource is not null)
            {
                Quietly(resource.Dispose);
            }
        }
    }
}
