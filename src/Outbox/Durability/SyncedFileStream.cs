namespace EdgeTwin.Outbox.Durability;

/// <summary>
/// A file stream whose every flush reaches the disk (fsync). LiteDB 5.0.21 only ever calls
/// <c>Flush(false)</c> (LiteDB issue #2818), so a committed transaction could sit in the page cache;
/// opening the database over this stream makes LiteDB's own flush points durable. Opened
/// exclusively, which on Linux also takes an advisory lock: a second gateway on the same data
/// directory fails to open instead of corrupting the store. Used by the outbox and the twin store.
/// </summary>
public class SyncedFileStream(string path)
    : FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 4096, FileOptions.RandomAccess)
{
    /// <summary>How many flushes went to the disk (tests show that a commit is durable).</summary>
    public int DiskFlushes { get; private set; }

    public override void Flush() => Flush(flushToDisk: true);

    public override void Flush(bool flushToDisk)
    {
        base.Flush(flushToDisk: true);
        DiskFlushes++;
    }

    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        Flush(flushToDisk: true);
        return Task.CompletedTask;
    }
}
