namespace EdgeTwin.Bench.Gateway;

using System.Diagnostics;
using System.Globalization;
using EdgeTwin.Gateway.Chains;
using Microsoft.Extensions.DependencyInjection;

/// <summary>
/// <c>alarm-latency</c>: the real gateway (16 stable simulated beds) against a real mosquitto on
/// loopback, plus a <see cref="TriggerDriver"/> whose heart-rate samples raise and clear an alarm;
/// each is timed from the sample entering the pipeline (recorder, alarm manager, alarm service,
/// alarm lane, outbox commit, uplink) to the broker's PUBACK of the alarm record. First while a
/// prefilled backlog drains, then idle.
/// </summary>
internal static class AlarmLatencyRun
{
    private static readonly TimeSpan Spacing = TimeSpan.FromMilliseconds(50);

    public static int Run(int beds, int backlog, int idleSeconds, TextWriter output) =>
        GatewayLoadRun.WithMosquitto((dir, port) => Measure(dir, port, beds, backlog, idleSeconds, output));

    private static int Measure(string dir, int port, int beds, int backlog, int idleSeconds, TextWriter output)
    {
        var app = TriggerGateway.Build(GatewayLoadRun.Args(dir, port, beds), out var trigger, out var commits);
        var book = app.Services.GetRequiredService<ChainBook>();
        GatewayLoadRun.Prefill(book, backlog);
        using var acks = new AlarmAcks(app.Services.GetRequiredService<EdgeTwin.Gateway.Diagnostics.GatewayMetrics>().Meter);
        app.StartAsync().GetAwaiter().GetResult();

        // Timed from the moment the link is up and the drain under way, not the connection set-up.
        var upDeadline = DateTime.UtcNow.AddSeconds(30);
        while (acks.BacklogPublished == 0 && DateTime.UtcNow < upDeadline)
        {
            Thread.Sleep(5);
        }

        acks.TakeCommitDurations();
        var drainDeadline = DateTime.UtcNow.AddSeconds(90);
        string poolDuring;
        Latencies during;
        using (var pool = new PoolSampler())
        {
            during = Sample(trigger, acks, commits, () => acks.BacklogPublished < backlog && DateTime.UtcNow < drainDeadline);
            poolDuring = pool.Summary("during the drain");
        }

        var drained = acks.BacklogPublished;
        var drainCommits = acks.TakeCommitDurations();
        var idleUntil = DateTime.UtcNow.AddSeconds(idleSeconds);
        var idle = Sample(trigger, acks, commits, () => DateTime.UtcNow < idleUntil);
        var idleCommits = acks.TakeCommitDurations();
        app.StopAsync().GetAwaiter().GetResult();

        output.WriteLine(Line($"alarm-latency backlog={backlog} (drained {drained})", during));
        output.WriteLine(Line($"alarm-latency idle beds={beds}", idle));
        output.WriteLine(Commits("during the drain", drainCommits));
        output.WriteLine(Commits("idle", idleCommits));
        output.WriteLine(poolDuring);
        output.WriteLine($"gc: server={System.Runtime.GCSettings.IsServerGC} latency mode={System.Runtime.GCSettings.LatencyMode}");
        return during.Alarm.Count > 0 && idle.Alarm.Count > 0 && GatewayLoadRun.Percentile(during.Alarm, 0.99) < 50 ? 0 : 1;
    }

    /// <summary>
    /// Heart rate 150 then 80 from the trigger, one at a time: each sample raises or clears the
    /// trigger's hr-high alarm (medium priority, not latched). Timed from the sample's entry into the
    /// pipeline to the PUBACK of the alarm record it causes. The alarm lane starts empty and is
    /// published once, in order, on one connection, so the PUBACK of seq s is the lane's (s+1)-th.
    /// </summary>
    private static Latencies Sample(TriggerDriver trigger, AlarmAcks acks, AlarmCommits commits, Func<bool> go)
    {
        var result = new Latencies([], [], 0);
        while (go())
        {
            var high = !trigger.Raised;
            var t0 = trigger.Send(high ? 150 : 80).GetAwaiter().GetResult();
            var committed = commits.Next(high ? "raised" : "cleared", TimeSpan.FromSeconds(5));
            trigger.Raised = high;
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (committed is { } c && acks.Count <= c.Seq && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(1);
            }

            if (committed is { } done && acks.Count > done.Seq)
            {
                result.Alarm.Add(Stopwatch.GetElapsedTime(t0, acks.At((int)done.Seq)).TotalMilliseconds);
                result.Committed.Add(Stopwatch.GetElapsedTime(t0, done.At).TotalMilliseconds);
            }
            else
            {
                result = result with { Discarded = result.Discarded + 1 };
            }

            Thread.Sleep(Spacing);
        }

        return result;
    }

    private static string Line(string what, Latencies l) => string.Create(CultureInfo.InvariantCulture,
        $"{what}: n={l.Alarm.Count} (discarded {l.Discarded}) sample->PUBACK alarm p50={GatewayLoadRun.Percentile(l.Alarm, 0.5):F1} ms p99={GatewayLoadRun.Percentile(l.Alarm, 0.99):F1} ms max={l.Alarm.DefaultIfEmpty(double.NaN).Max():F1} ms; of which sample->committed p50={GatewayLoadRun.Percentile(l.Committed, 0.5):F1} ms p99={GatewayLoadRun.Percentile(l.Committed, 0.99):F1} ms; slowest (total/committed) {string.Join(", ", l.Alarm.Zip(l.Committed).OrderByDescending(p => p.First).Take(3).Select(p => $"{p.First:F0}/{p.Second:F0}"))} ms");

    private static string Commits(string what, List<double> ms) => string.Create(CultureInfo.InvariantCulture,
        $"group commits {what}: n={ms.Count} p50={GatewayLoadRun.Percentile(ms, 0.5):F1} ms p99={GatewayLoadRun.Percentile(ms, 0.99):F1} ms max={ms.DefaultIfEmpty(double.NaN).Max():F1} ms");

    private sealed record Latencies(List<double> Alarm, List<double> Committed, int Discarded);
}
