namespace EdgeTwin.Outbox.Encryption;

using System.Globalization;
using EdgeTwin.Outbox.Durability;
using EdgeTwin.Telemetry.Durability;

/// <summary>
/// Replaces a storage key and re-encrypts every store under it, crash-safe and resumable
/// (<c>edgetwin storage-key</c>; docs/operations.md "Keys"): (1) the new key is written beside the
/// old one (<see cref="NextSuffix"/>, 0600); (2) each store not yet under the new key is re-encrypted
/// by <see cref="StoreEncryption.Rekey"/> (one rename puts each in place); (3) the old key is kept as
/// <c>.retired-&lt;UTC&gt;</c> and the new one renamed over it. While the new key file exists the
/// rotation is unfinished: <see cref="StorageKey.Open"/> refuses to start a service on it, and running
/// the rotation again finishes it (stores already under the new key are left alone).
/// </summary>
public static class StorageKeyRotation
{
    public const string NextSuffix = ".next";

    /// <summary>A store under the key: its name (the password's HKDF info), its data file and its log.</summary>
    public sealed record Store(string Name, string DataPath, string LogPath);

    /// <summary>
    /// The stores a data directory may hold under one storage key: the gateway's outbox and twin
    /// store (twin.db with its "-log", TwinStore) and the ingest's LiteDB store (LiteDbIngestStore).
    /// </summary>
    public static IReadOnlyList<Store> KnownStores(string directory) =>
    [
        new("outbox", Path.Combine(directory, OutboxStore.DataFileName), Path.Combine(directory, OutboxStore.LogFileName)),
        new("twin", Path.Combine(directory, "twin.db"), Path.Combine(directory, "twin.db-log")),
        new("ingest", Path.Combine(directory, "ingest.db"), Path.Combine(directory, "ingest-log.db")),
    ];

    /// <summary>What a rotation did to one store.</summary>
    public sealed record Outcome(Store Store, bool AlreadyRotated, long Documents);

    /// <summary>
    /// Rotates the key in <paramref name="keyPath"/> for <paramref name="stores"/> (those whose data file
    /// exists). Returns the retired key's file. Throws (leaving everything resumable) on a store that
    /// opens with neither key, a store in use, a full disk.
    /// </summary>
    public static (string Retired, IReadOnlyList<Outcome> Stores) Rotate(string keyPath, IReadOnlyList<Store> stores, IOutboxFiles files, TimeProvider time, Action<string>? afterStep = null)
    {
        var full = Path.GetFullPath(keyPath);
        var directory = Path.GetDirectoryName(full)!;
        var nextPath = full + NextSuffix;
        var old = StorageKey.FromBytes(full, SecretFile.Read(full, "storage key"));
        SecretFile.Create(nextPath); // false when an interrupted rotation left it: that one is used
        var next = StorageKey.FromBytes(nextPath, SecretFile.Read(nextPath, "new storage key"));
        afterStep?.Invoke("next-key");

        var outcomes = new List<Outcome>();
        foreach (var store in stores.Where(s => File.Exists(s.DataPath) && new FileInfo(s.DataPath).Length > 0))
        {
            EnsureNotInUse(store.DataPath);
            StoreEncryption.DiscardUnfinished(store.DataPath, store.LogPath);
            if (StoreEncryption.OpensWith(store.DataPath, store.LogPath, next.PasswordFor(store.Name)))
            {
                outcomes.Add(new Outcome(store, AlreadyRotated: true, 0));
                continue;
            }

            if (!StoreEncryption.OpensWith(store.DataPath, store.LogPath, old.PasswordFor(store.Name)))
            {
                throw new InvalidDataException($"'{store.DataPath}' opens with neither the storage key in '{full}' nor the new one in '{nextPath}'; nothing more is rotated (run again once the right key is in place)");
            }

            var documents = StoreEncryption.Rekey(store.DataPath, store.LogPath, old.PasswordFor(store.Name), next.PasswordFor(store.Name), files);
            outcomes.Add(new Outcome(store, AlreadyRotated: false, documents));
            afterStep?.Invoke("store:" + store.Name);
        }

        var retired = $"{full}.retired-{time.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}";
        if (!File.Exists(retired))
        {
            SecretFile.WriteNew(retired, SecretFile.Read(full, "storage key"));
        }

        afterStep?.Invoke("retired");
        File.Move(nextPath, full, overwrite: true);
        DirectorySync.Flush(directory);
        return (retired, outcomes);
    }

    private static void EnsureNotInUse(string dataPath)
    {
        try
        {
            using var exclusive = new FileStream(dataPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex) when (ex is not FileNotFoundException)
        {
            throw new IOException($"'{dataPath}' is in use: stop the service that holds it first ({ex.Message})", ex);
        }
    }
}
