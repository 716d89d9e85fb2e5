namespace EdgeTwin.Outbox.Durability;

/// <summary>Bytes a writer may still use (<paramref name="Available"/>) of a filesystem of <paramref name="Total"/> bytes.</summary>
public readonly record struct FilesystemSpace(long Available, long Total);
