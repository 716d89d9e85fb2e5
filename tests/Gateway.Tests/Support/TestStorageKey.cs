namespace EdgeTwin.Gateway.Tests.Support;

using EdgeTwin.Outbox.Encryption;

/// <summary>A fixed storage key for stores opened directly (the gateway's own comes from its key file).</summary>
internal static class TestStorageKey
{
    public static StorageKey Key { get; } = StorageKey.FromBytes("/test/storage.key", [.. Enumerable.Range(1, 32).Select(i => (byte)i)]);

    public static StorageKey Other { get; } = StorageKey.FromBytes("/test/other.key", [.. Enumerable.Range(2, 32).Select(i => (byte)i)]);

    public static string Outbox => Key.PasswordFor("outbox");
}
