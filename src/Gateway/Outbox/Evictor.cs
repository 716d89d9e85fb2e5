namespace EdgeTwin.Gateway.Outbox;

using EdgeTwin.Gateway.Chains;
using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Diagnostics;
using EdgeTwin.Outbox;
using EdgeTwin.Telemetry.Records;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

/// <summary>
/// Keeps the telemetry lane under <c>Outbox:TelemetryQuotaBytes</c>: drops the oldest unsent
/// waveform runs first, then vitals, each run stated in a signed <c>gap</c> record (PROTOCOL §4).
/// Genesis, checkpoints, gaps and events are kept; the alarm lane is never evicted. Deletions are
/// applied over several commits, so bytes already asked to leave count as freed, and a record is
/// evicted at most once (<see cref="_evicted"/>): never two gaps for the same seqs.
/// Called on the group committer's thread only.
/// </summary>
internal sealed class Evictor(ChainBook book, RetentionRequests retention, IOptions<OutboxOptions> options, GatewayMetrics metrics, ILogger<Evictor> logger)
{
    private const int ScanWindow = 8192;
    private readonly List<(long First, long Last)> _evicted = [];

    public void EvictIfOverQuota()
    {
        var quota = options.Value.TelemetryQuotaBytes;
        var usage = book.Store.Usage(Lane.Telemetry);
        var held = usage.Bytes - retention.PendingBytes(Lane.Telemetry);
        if (held <= quota || book.Store.MinSeq(Lane.Telemetry) is not { } min)
        {
            return;
        }

        // Free a tenth of the quota beyond the excess so eviction does not run at every commit.
        var toFree = held - quota + (quota / 10);
        // Runs evicted earlier whose deletion is still pending are not evicted again.
        _evicted.RemoveAll(e => e.Last < min);
        var window = book.Store.Read(Lane.Telemetry, min, book.Head(Lane.Telemetry).Seq, ScanWindow)
            .Where(r => !_evicted.Exists(e => r.Seq >= e.First && r.Seq <= e.Last)).ToList();
        foreach (var (cls, what) in new[] { (RecordClass.Waveform, "waveform"), (RecordClass.Vital, "vital") })
        {
            foreach (var run in Runs(window, cls))
            {
                if (toFree <= 0)
                {
                    return;
                }

                var first = run[0];
                var last = run[^1];
                book.AppendGap(Lane.Telemetry, first.Seq, last.Seq, first.Prev, last.Hash, "quota");
                foreach (var r in run)
                {
                    retention.Delete(Lane.Telemetry, r.Seq, r.Payload.Length);
                }

                _evicted.Add((first.Seq, last.Seq));

                var bytes = run.Sum(r => (long)r.Payload.Length);
                toFree -= bytes;
                metrics.Evicted(run.Count, what);
                GatewayLog.Evicted(logger, usage.Bytes, quota, run.Count, what, first.Seq, last.Seq);
            }

            // Vitals go only when no waveform is left in the window.
            window = window.Where(r => r.Class != RecordClass.Waveform).ToList();
        }
    }

    /// <summary>Maximal runs of consecutive seqs whose records are all evictable at this level.</summary>
    private static IEnumerable<List<StoredRecord>> Runs(List<StoredRecord> window, RecordClass level)
    {
        var run = new List<StoredRecord>();
        foreach (var r in window)
        {
            var evictable = r.Class != RecordClass.Keep && (level == RecordClass.Vital || r.Class == RecordClass.Waveform);
            if (!evictable || (run.Count > 0 && run[^1].Seq + 1 != r.Seq))
            {
                if (run.Count > 0)
                {
                    yield return run;
                    run = [];
                }
            }

            if (evictable)
            {
                run.Add(r);
            }
        }

        if (run.Count > 0)
        {
            yield return run;
        }
    }
}
