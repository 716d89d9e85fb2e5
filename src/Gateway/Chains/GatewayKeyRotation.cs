namespace EdgeTwin.Gateway.Chains;

using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Diagnostics;
using EdgeTwin.Outbox;
using EdgeTwin.Outbox.Durability;
using EdgeTwin.Outbox.Encryption;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Durability;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Signing;
using EdgeTwin.Telemetry.Wire;
using Microsoft.Extensions.Logging;

/// <summary>
/// Gateway key rotation in place (docs/operations.md "Keys"), done at start-up when a next key waits
/// beside the gateway key (<c>gateway.key.next</c>, written by <c>edgetwin gateway-key rotate</c>):
/// <list type="number">
/// <item>seal: under the old key, each lane gets a <c>key-rotation</c> event naming the new address and
/// the checkpoint covering it, committed to the outbox;</item>
/// <item>retire: the sealed outbox moves to <c>retired/&lt;telemetry epoch&gt;/</c>, from where the
/// uplink still delivers what it holds (<see cref="Uplink.RetiredChains"/>);</item>
/// <item>new epochs: a new outbox with a genesis per lane under the new key, reason <c>key-rotation</c>,
/// carrying the old key's signed <see cref="KeyRotationLink"/> to the old chain's last record;</item>
/// <item>promote: the next key replaces the gateway key (an atomic rename).</item>
/// </list>
/// Each step is durable before the next begins and the files say which step is due, so a crash or a
/// power cut anywhere resumes the rotation at the next start instead of losing or forking anything.
/// </summary>
internal static class GatewayKeyRotation
{
    public const string RetiredDirectory = "retired";

    public static string NextKeyPath(GatewayOptions options) => options.KeyFileFullPath + GatewayKey.NextFileSuffix;

    public static string RetiredRoot(GatewayOptions options) => Path.Combine(options.DataDirectoryFullPath, RetiredDirectory);

    /// <summary>Completes a pending rotation, if a next key is waiting. <see cref="StartupException"/> when it cannot be done safely.</summary>
    public static void CompleteIfPending(GatewayOptions options, StorageKey storageKey, IOutboxFiles files, TimeProvider time, ClockQuality clock, ILogger logger)
    {
        var nextPath = NextKeyPath(options);
        if (!File.Exists(nextPath))
        {
            return;
        }

        using var next = Load(nextPath);
        var keyPath = options.KeyFileFullPath;
        var data = options.DataDirectoryFullPath;
        var password = storageKey.PasswordFor("outbox");
        var storeFile = Path.Combine(data, OutboxStore.DataFileName);
        if (File.Exists(storeFile) && new FileInfo(storeFile).Length > 0)
        {
            IReadOnlyDictionary<Lane, ChainState> heads;
            using (var store = Open(data, files, password))
            {
                heads = store.Heads;
                if (heads.Count > 0 && heads.Values.All(h => Eip191.SameAddress(h.Key, next.Address)))
                {
                    // New epochs are written: only the promotion is left.
                    store.Dispose();
                    Promote(nextPath, keyPath, next.Address, logger);
                    return;
                }

                if (heads.Count > 0)
                {
                    using var old = LoadCurrent(keyPath);
                    Seal(store, heads, old, next.Address, options.Name, time, clock);
                    heads = store.Heads;
                    GatewayLog.ChainsSealed(logger, old.Address, next.Address, string.Join(", ", heads.Values.Select(h => $"{WireNames.Of(h.Lane)} {h.Epoch} at seq {h.Seq}")));
                }
            }

            if (heads.Count > 0)
            {
                Retire(data, heads[Lane.Telemetry].Epoch);
            }
        }

        var sealedStore = FindSealed(options, files, password, next.Address);
        if (sealedStore is not null)
        {
            using var old = LoadCurrent(keyPath);
            StartNewEpochs(data, files, password, options.Name, sealedStore, old, next, time, clock, logger);
        }

        Promote(nextPath, keyPath, next.Address, logger);
    }

    /// <summary>Appends the key-rotation event and its checkpoint to every lane not sealed yet, in one durable commit.</summary>
    private static void Seal(OutboxStore store, IReadOnlyDictionary<Lane, ChainState> heads, GatewayKey old, string nextAddress, string gw, TimeProvider time, ClockQuality clock)
    {
        var batch = new OutboxBatch();
        foreach (var (lane, head) in heads)
        {
            if (head.Gw != gw)
            {
                throw new StartupException("Gateway:Name", $"the outbox holds the chains of gateway '{head.Gw}', not '{gw}'; the key rotation is not done.");
            }

            if (head.Key is { } chainKey && !Eip191.SameAddress(chainKey, old.Address))
            {
                throw new StartupException("Gateway:KeyFile", $"the {WireNames.Of(lane)} chain is signed by {chainKey}, not by the gateway key {old.Address}: the rotation to {nextAddress} cannot be signed; restore the gateway key that signed the chain.");
            }

            if (IsSealed(store, lane, head, nextAddress))
            {
                continue;
            }

            var writer = ChainWriter.Resume(head, old, CheckpointPolicy.Default);
            var now = time.GetUtcNow();
            var ev = writer.AppendEvent(KeyRotationLink.EventType, new JsonObject { ["key"] = nextAddress }, now, clock);
            var cp = writer.Checkpoint(now, clock)!;
            batch.Records.Add(new StoredRecord(ev, RecordClass.Keep));
            batch.Records.Add(new StoredRecord(cp, RecordClass.Keep));
            batch.Heads[lane] = writer.State;
        }

        store.Commit(batch);
    }

    /// <summary>Whether the lane already ends with the key-rotation event naming <paramref name="nextAddress"/> and its checkpoint.</summary>
    private static bool IsSealed(OutboxStore store, Lane lane, ChainState head, string nextAddress)
    {
        if (head.Seq < 2 || head.UncoveredCount != 0)
        {
            return false;
        }

        var last = store.Read(lane, head.Seq - 1, head.Seq, 2);
        return last.Count == 2 && last[1].Kind == RecordKinds.Checkpoint && last[0].Kind == RecordKinds.Event && NamesKey(last[0].Payload, nextAddress);
    }

    private static bool NamesKey(byte[] payload, string address)
    {
        try
        {
            using var doc = JsonDocument.Parse(payload);
            var body = doc.RootElement.GetProperty("body");
            return body.GetProperty("type").GetString() == KeyRotationLink.EventType && Eip191.SameAddress(body.GetProperty("key").GetString(), address);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Moves the sealed outbox aside (the log first, when it holds anything; then the data file, one rename).</summary>
    private static void Retire(string data, string epoch)
    {
        var target = Path.Combine(data, RetiredDirectory, epoch);
        Directory.CreateDirectory(target);
        DirectorySync.Flush(Path.Combine(data, RetiredDirectory));
        var log = Path.Combine(data, OutboxStore.LogFileName);
        if (File.Exists(log))
        {
            if (new FileInfo(log).Length == 0)
            {
                File.Delete(log);
            }
            else
            {
                File.Move(log, Path.Combine(target, OutboxStore.LogFileName), overwrite: true);
            }
        }

        File.Move(Path.Combine(data, OutboxStore.DataFileName), Path.Combine(target, OutboxStore.DataFileName));
        DirectorySync.Flush(target);
        DirectorySync.Flush(data);
    }

    /// <summary>The heads of the retired store sealed toward <paramref name="nextAddress"/>, when the new epochs for it are not written yet.</summary>
    private static IReadOnlyDictionary<Lane, ChainState>? FindSealed(GatewayOptions options, IOutboxFiles files, string password, string nextAddress)
    {
        var root = RetiredRoot(options);
        if (!Directory.Exists(root))
        {
            return null;
        }

        foreach (var dir in Directory.EnumerateDirectories(root))
        {
            if (!File.Exists(Path.Combine(dir, OutboxStore.DataFileName)))
            {
                continue;
            }

            using var store = Open(dir, files, password);
            var heads = store.Heads;
            if (heads.Count > 0 && heads.All(h => IsSealed(store, h.Key, h.Value, nextAddress)))
            {
                return heads;
            }
        }

        return null;
    }

    /// <summary>A new outbox whose geneses (reason key-rotation) link to the sealed chains, signed by the old key; one durable commit.</summary>
    private static void StartNewEpochs(string data, IOutboxFiles files, string password, string gw, IReadOnlyDictionary<Lane, ChainState> sealedHeads, GatewayKey old, GatewayKey next, TimeProvider time, ClockQuality clock, ILogger logger)
    {
        using var store = OutboxStore.Open(data, files, password);
        if (store.Heads.Count > 0)
        {
            return;
        }

        var batch = new OutboxBatch();
        foreach (var (lane, oldHead) in sealedHeads)
        {
            var link = KeyRotationLink.Sign(oldHead, next.Address, old);
            var writer = ChainWriter.StartNew(gw, lane, next, CheckpointPolicy.Default, GenesisReason.KeyRotation, ChainBook.Software, time.GetUtcNow(), clock, out var genesis, rotation: link);
            batch.Records.Add(new StoredRecord(genesis, RecordClass.Keep));
            batch.Heads[lane] = writer.State;
            GatewayLog.ChainStarted(logger, WireNames.Of(lane), genesis.Epoch, nameof(GenesisReason.KeyRotation));
        }

        store.Commit(batch);
    }

    private static void Promote(string nextPath, string keyPath, string address, ILogger logger)
    {
        File.Move(nextPath, keyPath, overwrite: true);
        DirectorySync.Flush(Path.GetDirectoryName(keyPath)!);
        GatewayLog.KeyRotated(logger, address, keyPath);
    }

    private static OutboxStore Open(string directory, IOutboxFiles files, string password)
    {
        try
        {
            return OutboxStore.Open(directory, files, password);
        }
        catch (Exception ex) when (ex is OutboxCorruptException or WrongStorageKeyException or StoreEncryptionException or IOException or UnauthorizedAccessException)
        {
            throw new StartupException("Gateway:KeyFile", $"a gateway key rotation is pending ({GatewayKey.NextFileSuffix} key file), but the outbox in '{directory}' cannot be opened to seal its chains ({ex.Message}); nothing was changed. Fix the outbox or remove the next key file.", ex);
        }
    }

    private static GatewayKey Load(string path)
    {
        try
        {
            return GatewayKey.LoadFromFile(path);
        }
        catch (KeyFileException ex)
        {
            throw new StartupException("Gateway:KeyFile", $"the next gateway key of a pending rotation is unusable: {ex.Message}; nothing was changed.", ex);
        }
    }

    private static GatewayKey LoadCurrent(string keyPath)
    {
        try
        {
            return GatewayKey.LoadFromFile(keyPath);
        }
        catch (KeyFileException ex)
        {
            throw new StartupException("Gateway:KeyFile", $"a gateway key rotation is pending, but the current key that must sign it is unusable: {ex.Message}; nothing was changed.", ex);
        }
    }
}
