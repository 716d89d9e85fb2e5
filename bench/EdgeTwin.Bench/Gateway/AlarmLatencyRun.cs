namespace EdgeTwin.Bench.Gateway;

using System.Diagnostics;
using System.Globalization;
using EdgeTwin.Gateway.Chains;
using EdgeTwin.Gateway.Hosting;
using EdgeTwin.Telemetry.Records;
using Microsoft.Extensions.DependencyInjection;

/// <summary>
/// <c>alarm-latency</c>: the real gateway (16 stable simulated beds) against a real mosquitto on
/// loopback; one alarm at a time is appended through <see cref="ChainBook.AppendAlarm"/> (what the
/// alarm service calls) and timed until the broker's PUBACK of the alarm record and of the
/// checkpoint that follows it. First while a prefilled backlog drains, then idle.
/// </summary>
internal static class AlarmLatencyRun
{
    private static readonly TimeSpan Spacing = TimeSpan.FromMilliseconds(50);

    public static int Run(int beds, int backlog, int idleSeconds, TextWriter output) =>
        GatewayLoadRun.WithMosquitto((dir, port) => Measure(dir, port, beds, backlog, idleSeconds, output));

    private static int Measure(string dir, int port, int beds, int backlog, int idleSeconds, TextWriter output)
    {
        var app = GatewayHost.CreateBuilder([.. GatewayLoadRun.Args(dir, port, beds), "--Simulation:Scenario=stable"]).Build();
        var book = app.Services.GetRequiredService<ChainBook>();
        GatewayLoadRun.Prefill(book, backlog);
        using var acks = new AlarmAcks(app.Services.GetRequiredService<EdgeTwin.Gateway.Diagnostics.GatewayMetrics>().Meter);
        app.StartAsync().GetAwaiter().GetResult();

        var drainDeadline = DateTime.UtcNow.AddSeconds(90);
        var during = Sample(book, acks, () => acks.BacklogPublished < backlog && DateTime.UtcNow < drainDeadline);
        var drained = acks.BacklogPublished;
        var idleUntil = DateTime.UtcNow.AddSeconds(idleSeconds);
        var idle = Sample(book, acks, () => DateTime.UtcNow < idleUntil);
        app.StopAsync().GetAwaiter().GetResult();

        output.WriteLine(Line($"alarm-latency backlog={backlog} (drained {drained})", during));
        output.WriteLine(Line($"alarm-latency idle beds={beds}", idle));
        return during.Alarm.Count > 0 && idle.Alarm.Count > 0 && GatewayLoadRun.Percentile(during.Alarm, 0.99) < 50 ? 0 : 1;
    }

    private static Latencies Sample(ChainBook book, AlarmAcks acks, Func<bool> go)
    {
        var result = new Latencies([], [], 0);
        var body = new AlarmBody("unattributed", "sim-bed-0", "high", "bench", "raised", "rule", 80, "alarm-latency benchmark");
        while (go())
        {
            var before = acks.Count;
            var head = book.Head(Lane.Alarm).Seq;
            var t0 = Stopwatch.GetTimestamp();
            book.AppendAlarm(body);
            var appended = book.Head(Lane.Alarm).Seq - head;
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (acks.Count < before + 2 && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(1);
            }

            // Exactly our alarm and its checkpoint, both acknowledged: anything else is not counted.
            if (appended == 2 && acks.Count == before + 2)
            {
                result.Alarm.Add(Stopwatch.GetElapsedTime(t0, acks.At(before)).TotalMilliseconds);
                result.Checkpoint.Add(Stopwatch.GetElapsedTime(t0, acks.At(before + 1)).TotalMilliseconds);
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
        $"{what}: n={l.Alarm.Count} (discarded {l.Discarded}) append->PUBACK alarm p50={GatewayLoadRun.Percentile(l.Alarm, 0.5):F1} ms p99={GatewayLoadRun.Percentile(l.Alarm, 0.99):F1} ms max={l.Alarm.DefaultIfEmpty(double.NaN).Max():F1} ms; checkpoint p50={GatewayLoadRun.Percentile(l.Checkpoint, 0.5):F1} ms p99={GatewayLoadRun.Percentile(l.Checkpoint, 0.99):F1} ms");

    private sealed record Latencies(List<double> Alarm, List<double> Checkpoint, int Discarded);
}
