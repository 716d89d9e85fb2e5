namespace EdgeTwin.Gateway.Uplink;

using System.Text.Json.Nodes;
using EdgeTwin.Gateway.Chains;
using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Diagnostics;
using EdgeTwin.Outbox;
using EdgeTwin.Outbox.Durability;
using EdgeTwin.Outbox.Encryption;
using EdgeTwin.Telemetry.Receipts;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

/// <summary>
/// The outboxes a gateway key rotation sealed and moved to <c>retired/</c> (<see cref="GatewayKeyRotation"/>):
/// chains no key signs any more, whose records not yet delivered still must be. The uplink publishes
/// every record they hold after each connect, in seq order, one at a time with a deadline; with
/// receipts on, only a signed receipt for that very chain and hash deletes, and what no receipt
/// covered goes out again after <c>Uplink:ResendAfter</c> (or at once on a signed re-send request);
/// with receipts off the PUBACK deletes. A retired outbox that holds nothing more is removed and the
/// current telemetry chain says so (<c>retired-chain-delivered</c>). Thread-safe.
/// </summary>
internal sealed class RetiredChains : IDisposable
{
    private const int Page = 256;
    private readonly Lock _gate = new();
    private readonly List<Retired> _stores = [];
    private readonly IRecordAppender _book;
    private readonly ILogger _logger;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public RetiredChains(IOptions<GatewayOptions> gateway, StorageKey storageKey, IOutboxFiles files, IRecordAppender book, ILogger<RetiredChains> logger)
    {
        _book = book;
        _logger = logger;
        var root = GatewayKeyRotation.RetiredRoot(gateway.Value);
        if (!Directory.Exists(root))
        {
            return;
        }

        var password = storageKey.PasswordFor("outbox");
        foreach (var dir in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
        {
            if (!File.Exists(Path.Combine(dir, OutboxStore.DataFileName)))
            {
                continue;
            }

            try
            {
                var store = OutboxStore.Open(dir, files, password);
                var retired = new Retired(dir, store);
                _stores.Add(retired);
                GatewayLog.RetiredOpened(logger, dir, retired.Held, string.Join(", ", store.Heads.Values.Select(h => $"{WireNames.Of(h.Lane)} {h.Epoch}")));
            }
            catch (Exception ex) when (ex is OutboxCorruptException or WrongStorageKeyException or StoreEncryptionException or IOException or UnauthorizedAccessException)
            {
                // Kept as found: what it holds is not sent, and that is said loudly, never silently dropped.
                GatewayLog.RetiredUnreadable(logger, dir, ex.Message);
            }
        }

        _ = RemoveDelivered();
    }

    /// <summary>Records the retired outboxes still hold.</summary>
    public long Held
    {
        get
        {
            lock (_gate)
            {
                return _stores.Sum(s => s.Held);
            }
        }
    }

    /// <summary>Completes on a signed re-send request for a retired chain (the publish loop sends again at once) or when a retired outbox is delivered.</summary>
    public Task Changed
    {
        get
        {
            lock (_gate)
            {
                return _changed.Task;
            }
        }
    }

    /// <summary>The records held now, a lane's in seq order, the alarm lane's first; at most <paramref name="max"/> per chain from <paramref name="after"/> on.</summary>
    public List<StoredRecord> Snapshot(IReadOnlyDictionary<(Lane, string), long>? after = null, int max = Page)
    {
        var list = new List<StoredRecord>();
        lock (_gate)
        {
            foreach (var s in _stores)
            {
                foreach (var (lane, head) in s.Store.Heads.OrderBy(h => h.Key == Lane.Alarm ? 0 : 1))
                {
                    var from = after is not null && after.TryGetValue((lane, head.Epoch), out var last) ? last + 1 : 0;
                    list.AddRange(s.Store.Read(lane, from, head.Seq, max));
                }
            }
        }

        return list;
    }

    /// <summary>The PUBACK of a retired record with receipts off: it leaves its outbox.</summary>
    public void Acknowledged(StoredRecord record)
    {
        lock (_gate)
        {
            if (Find(record.Lane, record.Record.Epoch) is { } s)
            {
                var batch = new OutboxBatch();
                batch.Delete.Add(new RecordDeletion(record.Lane, record.Seq, record.Payload.Length));
                s.Store.Commit(batch);
            }
        }

        _ = RemoveDelivered();
    }

    /// <summary>
    /// A receipt the gate found signed by a listed ingest key for this gateway, but not for a current
    /// chain: null when it covers a retired chain and its hash is the record held there (the records
    /// through its seq are deleted); otherwise the problem (<see cref="StatementProblems"/>).
    /// </summary>
    public string? OnReceipt(Receipt receipt)
    {
        string? problem;
        lock (_gate)
        {
            problem = WireNames.TryParseLane(receipt.Lane, out var lane) && Find(lane, receipt.Epoch) is { } s
                ? Receive(s, lane, receipt)
                : StatementProblems.UnknownEpoch;
        }

        if (problem is null && RemoveDelivered())
        {
            Signal();
        }

        return problem;
    }

    /// <summary>A signed re-send request for a retired chain: its records go out again at once. False when no retired chain is that one.</summary>
    public bool OnResend(ResendRequest request)
    {
        lock (_gate)
        {
            if (!WireNames.TryParseLane(request.Lane, out var lane) || Find(lane, request.Epoch) is null)
            {
                return false;
            }
        }

        Signal();
        return true;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var s in _stores)
            {
                s.Store.Dispose();
            }

            _stores.Clear();
        }
    }

    private static string? Receive(Retired s, Lane lane, Receipt receipt)
    {
        var held = s.Store.Read(lane, receipt.Seq, receipt.Seq, 1);
        if (held.Count == 0)
        {
            return StatementProblems.NotHeld;
        }

        if (held[0].Hash != receipt.Hash)
        {
            return StatementProblems.HashMismatch;
        }

        var batch = new OutboxBatch();
        batch.DeleteThrough[lane] = receipt.Seq;
        s.Store.Commit(batch);
        return null;
    }

    private Retired? Find(Lane lane, string epoch) =>
        _stores.Find(s => s.Store.Heads.TryGetValue(lane, out var head) && head.Epoch == epoch);

    /// <summary>Removes the retired outboxes that hold nothing more, and says so in the current chain. True when one was.</summary>
    private bool RemoveDelivered()
    {
        List<(string Dir, string Epochs)> removed = [];
        lock (_gate)
        {
            foreach (var s in _stores.Where(s => s.Held == 0).ToList())
            {
                var epochs = string.Join(",", s.Store.Heads.Values.Select(h => h.Epoch));
                s.Store.Dispose();
                StorageFaults.Quietly(() => Directory.Delete(s.Directory, recursive: true));
                _stores.Remove(s);
                removed.Add((s.Directory, epochs));
            }
        }

        foreach (var (dir, epochs) in removed)
        {
            GatewayLog.RetiredDelivered(_logger, dir);
            _book.AppendEvent("retired-chain-delivered", new JsonObject { ["epochs"] = epochs });
        }

        return removed.Count > 0;
    }

    private void Signal()
    {
        TaskCompletionSource done;
        lock (_gate)
        {
            done = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        done.TrySetResult();
    }

    private sealed record Retired(string Directory, OutboxStore Store)
    {
        public long Held => Store.Heads.Keys.Sum(l => Store.Usage(l).Records);
    }
}
