namespace EdgeTwin.Outbox.Durability;

/// <summary>The production files: every flush is an fsync.</summary>
public sealed class SyncedOutboxFiles : IOutboxFiles
{
    public static SyncedOutboxFiles Instance { get; } = new();

    public Stream Open(string path) => new SyncedFileStream(path);
}
