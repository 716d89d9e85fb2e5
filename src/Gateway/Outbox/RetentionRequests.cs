namespace EdgeTwin.Gateway.Outbox;

using System.Collections.Concurrent;
using EdgeTwin.Telemetry.Records;

/// <summary>
/// Records the uplink (PUBACKs, receipts) and the evictor say may leave the outbox; the group
/// committer applies them in its next transaction. Thread-safe.
/// </summary>
internal sealed class RetentionRequests
{
    private readonly ConcurrentQueue<(Lane Lane, long Seq)> _deletes = new();
    private readonly ConcurrentDictionary<Lane, long> _deleteThrough = new();

    /// <summary>Forget one record (PUBACK with receipts off, eviction).</summary>
    public void Delete(Lane lane, long seq) => _deletes.Enqueue((lane, seq));

    /// <summary>Forget a lane's records up to <paramref name="seq"/> (a receipt).</summary>
    public void DeleteThrough(Lane lane, long seq) => _deleteThrough.AddOrUpdate(lane, seq, (_, old) => Math.Max(old, seq));

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
        }

        foreach (var lane in _deleteThrough.Keys)
        {
            if (_deleteThrough.TryRemove(lane, out var seq))
            {
                batch.DeleteThrough[lane] = seq;
            }
        }
    }
}
