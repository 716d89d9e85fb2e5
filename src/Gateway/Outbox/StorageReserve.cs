namespace EdgeTwin.Gateway.Outbox;

using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Diagnostics;
using EdgeTwin.Outbox.Durability;
using EdgeTwin.Telemetry.Durability;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

/// <summary>
/// Room kept back for a full disk: a file (<c>outbox.reserve</c> in the data directory) of a quarter
/// of the free-space floor (256 KiB to 8 MiB), written whole while the filesystem is above the floor.
/// LiteDB never gives pages back to the filesystem, so an outbox on a disk that filled up (by itself,
/// the floor too low for a slow box, or by another process) cannot evict its way out: deleting
/// records needs a commit, and a commit needs room. When a commit fails for lack of space and the
/// outbox holds at least the reserve's size of telemetry to evict, the group committer releases the
/// reserve: its room takes the held records and the evictions' deletions, whose pages the outbox
/// then reuses, so it goes on recording within its own files. The evictor counts the reserve as free
/// (it is: the gateway gives it up when needed), so creating it neither moves the floor nor evicts
/// anything. It is made again once free space is back above the floor. Used on the group committer's
/// thread (and read by the status page).
/// </summary>
internal sealed class StorageReserve(IOptions<GatewayOptions> gateway, IOptions<OutboxOptions> options, IFreeSpace space, ILogger<StorageReserve> logger)
{
    public const string FileName = "outbox.reserve";

    private const long Least = 256 * 1024;
    private const long Most = 8L << 20;
    private long _held = -1;
    private long _releases;

    public string Path { get; } = System.IO.Path.Combine(gateway.Value.DataDirectoryFullPath, FileName);

    /// <summary>Bytes the reserve holds now (0: none, released or not made yet).</summary>
    public long HeldBytes
    {
        get
        {
            var held = Interlocked.Read(ref _held);
            if (held < 0)
            {
                held = File.Exists(Path) ? new FileInfo(Path).Length : 0;
                Interlocked.Exchange(ref _held, held);
            }

            return held;
        }
    }

    /// <summary>How many times the reserve was given up since start.</summary>
    public long Releases => Interlocked.Read(ref _releases);

    /// <summary>The reserve's size on a filesystem of <paramref name="totalBytes"/> (0: the floor is off).</summary>
    public long SizeFor(long totalBytes)
    {
        var floor = options.Value.FloorBytes(totalBytes);
        return floor <= 0 ? 0 : Math.Clamp(floor / 4, Least, Most);
    }

    /// <summary>
    /// Makes the reserve when there is none and free space is back above the floor (counting the
    /// reserve as free, as the evictor does: once made, the filesystem is exactly as far above it).
    /// A reserve that does not fit is not left half-written.
    /// </summary>
    public void MakeIfRoom(FilesystemSpace fs)
    {
        var size = SizeFor(fs.Total);
        if (size <= 0 || HeldBytes > 0 || fs.Available < options.Value.FloorBytes(fs.Total) || fs.Available < size)
        {
            return;
        }

        try
        {
            var zeros = new byte[64 * 1024];
            using (var file = new FileStream(Path, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                for (long written = 0; written < size; written += zeros.Length)
                {
                    file.Write(zeros, 0, (int)Math.Min(zeros.Length, size - written));
                }

                FileSync.Flush(file);
            }

            Interlocked.Exchange(ref _held, size);
            GatewayLog.ReserveMade(logger, Path, size);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            StorageFaults.Quietly(() => File.Delete(Path));
            Interlocked.Exchange(ref _held, 0);
        }
    }

    /// <summary>Measures the filesystem and makes the reserve if there is room (start-up, and after each commit).</summary>
    public void MakeIfRoom()
    {
        if (space.Measure(gateway.Value.DataDirectoryFullPath) is { } fs)
        {
            MakeIfRoom(fs);
        }
    }

    /// <summary>Gives the reserve's room to the outbox (a commit failed for lack of space). False when there was none.</summary>
    public bool Release(string why)
    {
        var held = HeldBytes;
        if (held <= 0)
        {
            return false;
        }

        try
        {
            File.Delete(Path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        Interlocked.Exchange(ref _held, 0);
        Interlocked.Increment(ref _releases);
        GatewayLog.ReserveReleased(logger, Path, held, why);
        return true;
    }
}
