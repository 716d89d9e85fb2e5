namespace EdgeTwin.Bench.Ingest;

using System.Diagnostics;
using EdgeTwin.Bench.WholeSystem;

/// <summary>
/// What one <c>ingest-latency</c> run measured. <see cref="Measured"/>: for each obs record the gateway
/// sealed in the window (after the warm-up), from its seal (its publish instant, less the time a linger
/// held it) to the first receipt covering it. That splits into <see cref="ToCheckpoint"/>, until the
/// checkpoint covering it was published (a record is verified only when a checkpoint covers it,
/// PROTOCOL §5/§8), and <see cref="CheckpointToVerified"/>, from that checkpoint's publish to the receipt
/// (broker, worker, PostgreSQL commit, receipt back through the broker). <see cref="NotVerified"/>
/// counts every obs record of the run, warm-up included, that no receipt covered.
/// </summary>
internal sealed record LatencyResult(
    LatencyHistogram Measured, double MeasuredMax, LatencyHistogram ToCheckpoint, LatencyHistogram CheckpointToVerified, double CheckpointMax,
    long NotVerified, long ObsInWindow, long AllInWindow, double LateP99, double LateMax)
{
    /// <param name="windowStart">Stopwatch timestamp of the window's start (rates count the records published between the two)</param>
    /// <param name="windowEnd">Stopwatch timestamp of the window's end</param>
    public static LatencyResult Of(IReadOnlyList<PacedChain> chains, PacedPublisher publisher, IngestLatencyOptions o, long windowStart, long windowEnd)
    {
        static double Ms(long stopwatchTicks) => stopwatchTicks * 1000.0 / Stopwatch.Frequency;
        var (from, to) = (o.Warmup * TimeSpan.TicksPerSecond, (o.Warmup + o.Seconds) * TimeSpan.TicksPerSecond);
        LatencyHistogram measured = new(), toCheckpoint = new(), checkpointToVerified = new();
        double measuredMax = 0, checkpointMax = 0;
        long notVerified = 0, obsInWindow = 0, allInWindow = 0;
        foreach (var c in chains)
        {
            var nextCheckpoint = -1;
            for (var seq = c.Count - 1; seq >= 0; seq--)
            {
                var inWindow = c.SealTicks[seq] >= from && c.SealTicks[seq] < to;
                var published = c.PublishedAt[seq];
                if (published >= windowStart && published < windowEnd)
                {
                    allInWindow++;
                    obsInWindow += c.IsObs[seq] ? 1 : 0;
                }

                if (!c.IsObs[seq])
                {
                    if (seq > 0 && inWindow && c.VerifiedAt[seq - 1] != 0)
                    {
                        var ms = Ms(c.VerifiedAt[seq - 1] - published);
                        checkpointToVerified.Add(ms);
                        checkpointMax = Math.Max(checkpointMax, ms);
                    }

                    nextCheckpoint = seq > 0 ? seq : nextCheckpoint;
                    continue;
                }

                if (c.VerifiedAt[seq] == 0)
                {
                    notVerified++;
                    continue;
                }

                if (inWindow)
                {
                    var heldMs = (c.PublishTicks[seq] - c.SealTicks[seq]) / (double)TimeSpan.TicksPerMillisecond;
                    var ms = Ms(c.VerifiedAt[seq] - published) + heldMs;
                    measured.Add(ms);
                    measuredMax = Math.Max(measuredMax, ms);
                    if (nextCheckpoint > 0)
                    {
                        toCheckpoint.Add(Ms(c.PublishedAt[nextCheckpoint] - published) + heldMs);
                    }
                }
            }
        }

        var late = publisher.LateMs.ToArray();
        Array.Sort(late);
        return new LatencyResult(measured, measuredMax, toCheckpoint, checkpointToVerified, checkpointMax, notVerified, obsInWindow, allInWindow,
            late.Length == 0 ? double.NaN : late[(int)Math.Min(late.Length - 1, Math.Ceiling(0.99 * late.Length) - 1)], late.Length == 0 ? double.NaN : late[^1]);
    }
}
