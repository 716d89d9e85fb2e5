namespace EdgeTwin.Gateway.Twin.Persistence;

/// <summary>
/// A file stream whose every flush reaches the disk. LiteDB 5.0.21 only ever asks for
/// <c>Flush(false)</c>, so a committed transaction can sit in the page cache and vanish on power
/// loss (LiteDB issue #2818); handing LiteDB this stream turns its commit flush into an fsync.
/// Opened without sharing, so a second gateway on the same data directory fails at once.
/// </summary>
internal sealed class FsyncFileStream(string path)
    : FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 4096)
{
    /// <summary>How many flushes went to the disk (tests show that a commit is durable).</summary>
    public int DiskFlushes { get; private set; }

    public override void Flush(bool flushToDisk)
    {
        base.Flush(flushToDisk: true);
        DiskFlushes++;
    }
}
