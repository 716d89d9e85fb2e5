namespace EdgeTwin.Outbox;

using System.Collections.Concurrent;
using EdgeTwin.Telemetry.Records;

/// <summary>
/// Records the uplink (PUBACKs, receipts) and the evictor say may leave the outbox; the group
/// committer applies them in its next transactions, and hands back what a commit did not get to.
/// Thread-safe.
/// </summary>
public sealed class RetentionRequests
{
    private readonly ConcurrentQueue<RecordDeletion> _deletes = new();
    private readonly ConcurrentDictionary<Lane, long> _deleteThrough = new();
    private readonly ConcurrentDictionary<Lane, long> _pendingBytes = new();

    /// <summary>Forget one record of <paramref name="bytes"/> payload (PUBACK with receipts off, eviction).</summary>
    public void Delete(Lane lane, long seq, int bytes)
    {
        _pendingBytes.AddOrUpdate(lane, bytes, (_, old) => old + bytes);
        _deletes.Enqueue(new RecordDeletion(lane, seq, bytes));
    }

    /// <summary>Forget a lane's records up to <paramref name="seq"/> (a receipt).</summary>
    public void DeleteThrough(Lane lane, long seq) => _deleteThrough.AddOrUpdate(lane, seq, (_, old) => Math.Max(old, seq));

    /// <summary>Whether no deletion waits (neither single deletions nor receipt ranges).</summary>
    public bool IsEmpty => _deletes.IsEmpty && _deleteThrough.IsEmpty;

    /// <summary>Payload bytes of single deletions asked for but not yet committed (the evictor counts them as freed).</summary>
    public long PendingBytes(Lane lane) => _pendingBytes.GetValueOrDefault(lane);

    /// <summary>
    /// Moves the requests into <paramref name="batch"/>: at most <paramref name="maxDeletes"/> single
    /// deletions (the rest wait for the next commit, so no one commit grows long enough to hold up an
    /// alarm behind it), and every receipt.
    /// </summary>
    public void MoveTo(OutboxBatch batch, int maxDeletes = int.MaxValue)
    {
        while (batch.Delete.Count < maxDeletes && _deletes.TryDequeue(out var d))
        {
            batch.Delete.Add(d);
            _pendingBytes.AddOrUpdate(d.Lane, 0, (_, old) => old - d.Bytes);
        }

        foreach (var lane in _deleteThrough.Keys)
        {
            if (_deleteThrough.TryRemove(lane, out var seq))
            {
                batch.DeleteThrough[lane] = seq;
            }
        }
    }

    /// <summary>Takes back what a commit of <paramref name="batch"/> did not apply (it stopped early, or failed).</summary>
    public void Return(OutboxBatch batch)
    {
        for (var i = batch.DeletesApplied; i < batch.Delete.Count; i++)
        {
            var d = batch.Delete[i];
            Delete(d.Lane, d.Seq, d.Bytes);
        }

        foreach (var (lane, through) in batch.DeleteThroughLeft)
        {
            DeleteThrough(lane, through);
        }
    }
}
