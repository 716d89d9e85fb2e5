namespace EdgeTwin.Gateway.Tests.Support;

using EdgeTwin.Outbox.Durability;

/// <summary>
/// A filesystem of a few megabytes for the unit tests, over a real directory: what its files take
/// (every file in it, in 4 KiB blocks, the storage reserve too) and what other processes took
/// (<see cref="Taken"/>, a filler) is used; the rest is free. The outbox's files opened here refuse
/// to grow past it as Linux says ENOSPC (an <see cref="IOException"/> with HResult 28) and shrink
/// when LiteDB crops them, so what the outbox's own files do with the room is what the test sees.
/// Its files are not synced.
/// Also the free-space measurement the evictor and the reserve read.
/// </summary>
internal sealed class SmallDisk(string directory, long total) : IOutboxFiles, IFreeSpace
{
    private const long Block = 4096;

    public long Total { get; } = total;

    /// <summary>Bytes another process holds on this filesystem.</summary>
    public long Taken { get; set; }

    /// <summary>Bytes a writer may still use.</summary>
    public long Available => Math.Max(0, Total - Taken - Directory.GetFiles(directory).Sum(f => Blocks(new FileInfo(f).Length)));

    /// <summary>
    /// Whether a write that does not fit writes the blocks that do before it fails, as a real
    /// filesystem does (a short write, then ENOSPC); otherwise it writes nothing.
    /// </summary>
    public bool Torn { get; set; }

    /// <summary>Writes cut short so far (<see cref="Torn"/>).</summary>
    public int TornWrites { get; private set; }

    /// <summary>Growth refused so far.</summary>
    public int Refused { get; private set; }

    /// <summary>Another process takes what is free, to the last block.</summary>
    public void Fill() => Taken += Available;

    /// <summary>The bytes the file <paramref name="name"/> holds now (0: none).</summary>
    public long SizeOf(string name) => File.Exists(Path.Combine(directory, name)) ? new FileInfo(Path.Combine(directory, name)).Length : 0;

    public FilesystemSpace? Measure(string path) => new FilesystemSpace(Available, Total);

    public Stream Open(string path) => new QuotaStream(path, this);

    private static long Blocks(long bytes) => (bytes + Block - 1) / Block * Block;

    /// <summary>How many of <paramref name="count"/> bytes written at <paramref name="position"/> fit (a file of <paramref name="length"/> bytes, whole blocks).</summary>
    private int Fits(long length, long position, int count)
    {
        var end = Math.Max(Blocks(length), ((Blocks(length) + Available) / Block) * Block);
        return (int)Math.Clamp(end - position, 0, count);
    }

    private void Grow(long from, long to)
    {
        if (to > from && Blocks(to) - Blocks(from) > Available)
        {
            Refused++;
            throw new IOException("No space left on device : 'small disk'", FullDiskFiles.Enospc);
        }
    }

    /// <summary>The file without fsync (durability is not what these tests are about, and a loaded CI disk makes fsync slow).</summary>
    private sealed class QuotaStream(string path, SmallDisk disk) : FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 4096, FileOptions.RandomAccess)
    {
        public override void Write(byte[] buffer, int offset, int count)
        {
            if (disk.Torn && disk.Fits(Length, Position, count) is var fits && fits < count)
            {
                base.Write(buffer, offset, fits);
                base.Flush();
                disk.TornWrites += fits > 0 ? 1 : 0;
            }

            disk.Grow(Length, Position + count);
            base.Write(buffer, offset, count);
        }

        public override void Write(ReadOnlySpan<byte> buffer) => Write(buffer.ToArray(), 0, buffer.Length);

        public override void WriteByte(byte value)
        {
            disk.Grow(Length, Position + 1);
            base.WriteByte(value);
        }

        public override void SetLength(long value)
        {
            disk.Grow(Length, value);
            base.SetLength(value);
        }
    }
}
