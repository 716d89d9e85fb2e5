namespace EdgeTwin.Gateway.Storage;

using System.Globalization;
using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Outbox;
using EdgeTwin.Outbox.Durability;
using EdgeTwin.Outbox.Encryption;

/// <summary>
/// Opens the outbox; a store that will not open is moved aside (renamed, never deleted) so a new
/// epoch can start while the old files stay available for forensics. A store that does not open
/// with the storage key is not corrupt: the start is refused and the files stay as they are, since
/// a new epoch would abandon the unsent records over a key that went missing.
/// </summary>
internal static class OutboxOpener
{
    /// <summary>The marker a created store leaves beside it, so that its loss can be told from a first start.</summary>
    public const string MarkerFileName = "outbox.created";

    /// <summary>
    /// The gateway's outbox in its data directory: opened (or quarantined and created anew), and marked
    /// as created there, so a later start without it knows the store was lost (a provisioned key does not say so).
    /// On a first start on a full disk the outbox is created only once the keys are on disk
    /// (<paramref name="firstStart"/>), and the marker written when there is room.
    /// </summary>
    public static OpenedOutbox OpenForGateway(string dataDirectory, IOutboxFiles files, StorageKey key, TimeProvider time, FirstStartFiles? firstStart = null)
    {
        var marker = Path.Combine(dataDirectory, MarkerFileName);
        var hadStore = File.Exists(marker);
        var opened = Open(dataDirectory, files, key, time, mayCreate: firstStart?.AllWritten ?? true);
        if (!hadStore)
        {
            WriteMarker(marker, firstStart);
        }

        return opened with { Lost = hadStore && !opened.Existed };
    }

    /// <summary>
    /// Opens the outbox. A new one is left to be created later (<see cref="OutboxStore.NotCreated"/>)
    /// while <paramref name="mayCreate"/> is false (the keys a first start writes are not on disk yet)
    /// or when the disk has no room for it now.
    /// </summary>
    public static OpenedOutbox Open(string directory, IOutboxFiles files, StorageKey key, TimeProvider time, bool mayCreate = true)
    {
        var password = key.PasswordFor("outbox");
        var dataFile = Path.Combine(directory, OutboxStore.DataFileName);
        var existed = File.Exists(dataFile);
        var isNew = !existed || new FileInfo(dataFile).Length == 0;
        if (isNew && !mayCreate)
        {
            return new OpenedOutbox(OutboxStore.NotCreated(directory, files, password), existed, null, null);
        }

        try
        {
            return new OpenedOutbox(OutboxStore.Open(directory, files, password), existed, null, null);
        }
        catch (Exception ex) when (isNew && StorageFaults.IsOutOfSpace(ex))
        {
            return new OpenedOutbox(OutboxStore.NotCreated(directory, files, password), existed, null, null);
        }
        catch (OutboxCorruptException ex)
        {
            var stamp = time.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
            var quarantined = Quarantine(directory, OutboxStore.DataFileName, stamp);
            Quarantine(directory, OutboxStore.LogFileName, stamp);
            var store = OutboxStore.Open(directory, files, password);
            return new OpenedOutbox(store, existed, quarantined, ex.InnerException?.Message ?? ex.Message);
        }
        catch (WrongStorageKeyException ex)
        {
            throw GatewayStorageKey.Mismatch(key, ex.StoreFile);
        }
        catch (StoreEncryptionException ex)
        {
            throw new StartupException("Gateway:DataDirectory", ex.Message, ex);
        }
        catch (IOException ex)
        {
            throw new StartupException("Gateway:DataDirectory", $"the outbox in '{directory}' cannot be opened ({ex.Message}); is another gateway using this data directory?", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new StartupException("Gateway:DataDirectory", $"the outbox in '{directory}' cannot be opened ({ex.Message}).", ex);
        }
    }

    private static string? Quarantine(string directory, string name, string stamp)
    {
        var path = Path.Combine(directory, name);
        if (!File.Exists(path))
        {
            return null;
        }

        var target = Path.Combine(directory, $"{name}.corrupt-{stamp}");
        for (var i = 1; File.Exists(target); i++)
        {
            target = Path.Combine(directory, $"{name}.corrupt-{stamp}-{i}");
        }

        File.Move(path, target);
        return target;
    }

    private static void WriteMarker(string marker, FirstStartFiles? firstStart)
    {
        void Write()
        {
            try
            {
                // fsync'd with its directory entry: after a power cut it must still say the store was
                // created here (an unsynced marker was gone after each cut on the power-cut disk).
                AtomicFile.Replace(marker, "The outbox was created here; if outbox.db goes missing the next epoch says store-lost.\n");
            }
            catch (IOException)
            {
                StorageFaults.Quietly(() => File.Delete(marker));
                throw;
            }
        }

        try
        {
            Write();
        }
        catch (IOException ex) when (firstStart is not null && StorageFaults.IsOutOfSpace(ex))
        {
            firstStart.Defer("outbox marker", marker, Write, () => { }, ex);
        }
    }
}
