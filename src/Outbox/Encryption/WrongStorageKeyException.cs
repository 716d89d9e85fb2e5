namespace EdgeTwin.Outbox.Encryption;

/// <summary>An encrypted store does not open with the storage key: never a corrupt store, never quarantined.</summary>
public sealed class WrongStorageKeyException(string storeFile, Exception inner)
    : Exception($"'{storeFile}' does not open with the storage key", inner)
{
    public string StoreFile { get; } = storeFile;
}
