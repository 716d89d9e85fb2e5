namespace EdgeTwin.Outbox.Tests.Support;

/// <summary>
/// A file on a filesystem that fills: while <paramref name="full"/> says so, every write fails as ENOSPC
/// does (nothing of it written). Shared by the outbox's and the ingest's LiteDB failure tests (linked).
/// </summary>
internal sealed class FillingFileStream(string path, Func<bool> full)
    : FileStream(path, new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None, BufferSize = 0 })
{
    public override void Write(byte[] buffer, int offset, int count)
    {
        ThrowIfFull();
        base.Write(buffer, offset, count);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ThrowIfFull();
        base.Write(buffer);
    }

    public override void WriteByte(byte value)
    {
        ThrowIfFull();
        base.WriteByte(value);
    }

    private void ThrowIfFull()
    {
        if (full())
        {
            throw new IOException("No space left on device", 28);
        }
    }
}
