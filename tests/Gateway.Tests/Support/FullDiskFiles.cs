namespace EdgeTwin.Gateway.Tests.Support;

using EdgeTwin.Outbox.Durability;

/// <summary>
/// The outbox's files on a disk that can be made full: while <see cref="Full"/> is set every write,
/// growth and flush fails as Linux says ENOSPC (an <see cref="IOException"/> with HResult 28); files
/// still open, as on a real full disk. The "no space" fault of the storage layer for unit tests.
/// </summary>
internal sealed class FullDiskFiles : IOutboxFiles
{
    public const int Enospc = 28;

    private volatile bool _full;

    public bool Full
    {
        get => _full;
        set => _full = value;
    }

    /// <summary>Full as long as this says so too (e.g. while a reserve file takes the last room).</summary>
    public Func<bool>? FullWhile { get; set; }

    /// <summary>The error a refused write reports: ENOSPC unless a test makes it another (EIO, 5: a failing card).</summary>
    public int Errno { get; set; } = Enospc;

    /// <summary>Writes refused so far.</summary>
    public int Refused { get; private set; }

    public System.IO.Stream Open(string path) => new RefusingStream(path, this);

    private void Check()
    {
        if (_full || FullWhile?.Invoke() == true)
        {
            Refused++;
            throw Errno == Enospc ? new IOException("No space left on device : 'outbox'", Enospc) : new IOException($"I/O error {Errno} : 'outbox'", Errno);
        }
    }

    private sealed class RefusingStream(string path, FullDiskFiles disk) : SyncedFileStream(path)
    {
        public override void Write(byte[] buffer, int offset, int count)
        {
            disk.Check();
            base.Write(buffer, offset, count);
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            disk.Check();
            base.Write(buffer);
        }

        public override void WriteByte(byte value)
        {
            disk.Check();
            base.WriteByte(value);
        }

        public override void SetLength(long value)
        {
            disk.Check();
            base.SetLength(value);
        }

        public override void Flush(bool flushToDisk)
        {
            disk.Check();
            base.Flush(flushToDisk);
        }
    }
}
