namespace EdgeTwin.Gateway.Tests.Support;

using EdgeTwin.Gateway.Uplink;
using EdgeTwin.Outbox;

/// <summary>Takes what a <see cref="PublishQueue"/> hands out, as the uplink's pump would.</summary>
internal static class PublishQueueDrain
{
    /// <summary>
    /// The seqs the queue hands out (at most <paramref name="most"/>), in order; <paramref name="acknowledged"/>
    /// is what the broker then does with each record.
    /// </summary>
    public static List<long> Drain(this PublishQueue queue, int most = int.MaxValue, Action<StoredRecord>? acknowledged = null)
    {
        var seqs = new List<long>();
        while (seqs.Count < most && queue.TryNext(out var next))
        {
            acknowledged?.Invoke(next!.Record);
            seqs.Add(next!.Record.Seq);
        }

        return seqs;
    }
}
