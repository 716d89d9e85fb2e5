namespace EdgeTwin.Outbox.Durability;

using EdgeTwin.Telemetry.Durability;
using Microsoft.Win32.SafeHandles;

/// <summary>
/// A file stream whose every flush reaches the disk (fsync). LiteDB 5.0.21 only ever calls
/// <c>Flush(false)</c> (LiteDB issue #2818), so a committed transaction could sit in the page cache;
/// opening the database over this stream makes LiteDB's own flush points durable. A failed fsync
/// throws (<see cref="FileSync"/>: .NET's own <c>Flush(true)</c> would return as if it had worked), so
/// LiteDB's commit fails instead of counting as durable. Opened exclusively, which on Linux also takes
/// an advisory lock: a second gateway on the same data directory fails to open instead of corrupting
/// the store. Used by the outbox and the twin store.
/// </summary>
public class SyncedFileStream : FileStream
{
    private readonly SafeFileHandle _handle;

    public SyncedFileStream(string path)
        : this(File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, FileOptions.RandomAccess))
    {
    }

    // The handle opened here, not taken from FileStream.SafeFileHandle: that getter calls Flush, a
    // virtual call from the constructor into an override that is not set up yet.
    private SyncedFileStream(SafeFileHandle handle)
        : base(handle, FileAccess.ReadWrite, 4096)
    {
        _handle = handle;
    }

    /// <summary>How many flushes went to the disk (tests show that a commit is durable).</summary>
    public int DiskFlushes { get; private set; }

    public override void Flush() => Flush(flushToDisk: true);

    public override void Flush(bool flushToDisk)
    {
        base.Flush(flushToDisk: false);
        FileSync.Flush(_handle, Name);
        DiskFlushes++;
    }

    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        Flush(flushToDisk: true);
        return Task.CompletedTask;
    }
}
