namespace EdgeTwin.Gateway.Storage;

/// <summary>Bytes a writer may still use (<paramref name="Available"/>) of a filesystem of <paramref name="Total"/> bytes.</summary>
internal readonly record struct FilesystemSpace(long Available, long Total);
