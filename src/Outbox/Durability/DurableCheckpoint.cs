namespace EdgeTwin.Outbox.Durability;

using LiteDB;

/// <summary>
/// A LiteDB checkpoint whose end is durable too. The checkpoint copies the log into the data file
/// and fsyncs it (our <c>SyncedFileStream</c>), then truncates the log without a flush. A log that
/// reached the disk earlier keeps its old pages after a power cut, and reopening replays them over
/// the newer data file: committed records vanish. The encrypted store makes that concrete, because
/// LiteDB's AES wrapper flushes the log whenever it wraps it anew (a pooled reader), and the power-cut
/// test caught it; a plain store is exposed the same way to the kernel writing the log back on its
/// own. So the truncated log is flushed (fsync) as well, before the commit counts as done.
/// </summary>
public static class DurableCheckpoint
{
    public static void Run(LiteDatabase db, Stream log)
    {
        db.Checkpoint();
        log.Flush();
    }
}
