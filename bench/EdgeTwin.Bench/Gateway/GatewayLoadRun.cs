namespace EdgeTwin.Bench.Gateway;

using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using EdgeTwin.Gateway.Chains;
using EdgeTwin.Gateway.Hosting;
using EdgeTwin.Gateway.Uplink;
using EdgeTwin.Outbox;
using EdgeTwin.Telemetry.Records;
using Microsoft.Extensions.DependencyInjection;

/// <summary>
/// End-to-end gateway load against a real mosquitto on loopback (started here):
/// <c>gateway-steady</c>: N simulated beds at real rates for a fixed time: CPU share of one core,
/// samples/s, records/s published (PUBACK), RSS.
/// <c>gateway-backlog</c>: a backlog of stored records (a ~10-minute outage of a 16-bed ward) drains
/// while 16 beds keep producing: drain rate, and commit-to-PUBACK latency p50/p99 of live records.
/// </summary>
internal static class GatewayLoadRun
{
    public static int Run(string mode, int beds, int seconds, int backlog, TextWriter output) =>
        WithMosquitto((dir, port) => mode == "gateway-steady"
            ? Steady(dir, port, beds, seconds, output)
            : Backlog(dir, port, beds, backlog, seconds, output));

    /// <summary>Runs <paramref name="body"/> (temp directory, broker port) against a fresh mosquitto on loopback.</summary>
    internal static int WithMosquitto(Func<string, int, int> body)
    {
        var dir = Directory.CreateTempSubdirectory("edgetwin-bench-").FullName;
        var port = FreePort();
        File.WriteAllText(Path.Combine(dir, "mosquitto.conf"), $"listener {port} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\n");
        using var mosquitto = Process.Start(new ProcessStartInfo("/usr/sbin/mosquitto", ["-c", Path.Combine(dir, "mosquitto.conf")]) { RedirectStandardError = true })!;
        try
        {
            Thread.Sleep(300);
            return body(dir, port);
        }
        finally
        {
            mosquitto.Kill();
            Directory.Delete(dir, recursive: true);
        }
    }

    internal static string[] Args(string dir, int port, int beds) =>
    [
        $"--Gateway:DataDirectory={Path.Combine(dir, "data")}",
        $"--Uplink:Broker=mqtt://127.0.0.1:{port}",
        "--Status:Url=http://127.0.0.1:0",
        $"--Simulation:Beds={beds}",
        "--Gateway:Clock=synced",
        "--Logging:LogLevel:Default=Warning",
    ];

    private static int Steady(string dir, int port, int beds, int seconds, TextWriter output)
    {
        var app = GatewayHost.CreateBuilder(Args(dir, port, beds)).Build();
        using var counters = new Counters(app.Services.GetRequiredService<EdgeTwin.Gateway.Diagnostics.GatewayMetrics>().Meter);
        app.StartAsync().GetAwaiter().GetResult();
        Thread.Sleep(TimeSpan.FromSeconds(3)); // warm-up: JIT, first connection
        var self = Process.GetCurrentProcess();
        var (cpu0, wall0, s0, r0) = (self.TotalProcessorTime, Stopwatch.GetTimestamp(), counters.Samples, counters.Published);
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        self.Refresh();
        var wall = Stopwatch.GetElapsedTime(wall0).TotalSeconds;
        var cpu = (self.TotalProcessorTime - cpu0).TotalSeconds;
        var (samples, published) = (counters.Samples - s0, counters.Published - r0);
        app.StopAsync().GetAwaiter().GetResult();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"gateway-steady beds={beds} seconds={wall:F1} cpu={100 * cpu / wall:F1}% of one core samples/s={samples / wall:F0} records/s={published / wall:F0} rss={self.WorkingSet64 / (1 << 20)} MiB"));
        return 0;
    }

    private static int Backlog(string dir, int port, int beds, int backlog, int seconds, TextWriter output)
    {
        var app = GatewayHost.CreateBuilder(Args(dir, port, beds)).Build();
        var book = app.Services.GetRequiredService<ChainBook>();
        var fill = Stopwatch.StartNew();
        Prefill(book, backlog);
        var fillSeconds = fill.Elapsed.TotalSeconds;
        using var counters = new Counters(app.Services.GetRequiredService<EdgeTwin.Gateway.Diagnostics.GatewayMetrics>().Meter);
        var uplink = app.Services.GetRequiredService<MqttUplink>();
        var start = Stopwatch.GetTimestamp();
        app.StartAsync().GetAwaiter().GetResult();
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (counters.BacklogPublished < backlog && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
        }

        var drainSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var drained = counters.BacklogPublished;
        var latencies = counters.LiveLatencies();
        var self = Process.GetCurrentProcess();
        app.StopAsync().GetAwaiter().GetResult();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"gateway-backlog beds={beds} backlog={backlog} (prefill {backlog / fillSeconds:F0} records/s) drained={drained} in {drainSeconds:F1} s = {drained / drainSeconds:F0} records/s; " +
            $"live records during drain={latencies.Count} commit->PUBACK p50={Percentile(latencies, 0.5):F1} ms p99={Percentile(latencies, 0.99):F1} ms; rss={self.WorkingSet64 / (1 << 20)} MiB; queue live={uplink.Queue.LiveCount}"));
        return 0;
    }

    /// <summary>A 16-bed ward's mix: per bed-second one ECG record (250 values), one pleth (100), six vitals.</summary>
    internal static void Prefill(ChainBook book, int count)
    {
        var t0 = new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
        var ecg = Enumerable.Range(0, 250).Select(i => (double?)Math.Round(Math.Sin(i / 10.0), 3)).ToArray();
        var pleth = ecg[..100];
        for (var i = 0; i < count; i++)
        {
            var (code, unit, values, cls) = (i % 8) switch
            {
                0 => ("mdc:131330", "mV", ecg, RecordClass.Waveform),
                1 => ("mdc:150452", "{ratio}", pleth, RecordClass.Waveform),
                _ => ("loinc:8867-4", "/min", new double?[] { 72 }, RecordClass.Vital),
            };
            book.AppendObs(new ObsBody("p-bench", $"sim-bed-{i % 16}", code, unit, t0.AddSeconds(i / 128), values.Length > 1 ? 4 : 0, values), cls);
            if (i % 2000 == 1999)
            {
                book.Store.Commit(book.TakeBatch(out _));
            }
        }

        book.Store.Commit(book.TakeBatch(out _));
    }

    internal static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        values.Sort();
        return values[(int)Math.Min(values.Count - 1, Math.Round(p * (values.Count - 1)))];
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Reads the gateway's own instruments: what it counted is what is reported.</summary>
    private sealed class Counters : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly List<double> _latencies = [];
        private long _samples;
        private long _published;
        private long _backlog;

        public Counters(Meter meter)
        {
            _listener.InstrumentPublished = (i, l) =>
            {
                if (ReferenceEquals(i.Meter, meter))
                {
                    l.EnableMeasurementEvents(i);
                }
            };
            _listener.SetMeasurementEventCallback<long>((i, v, tags, _) =>
            {
                if (i.Name == "edgetwin.pipeline.samples")
                {
                    Interlocked.Add(ref _samples, v);
                }
                else if (i.Name == "edgetwin.uplink.published")
                {
                    Interlocked.Add(ref _published, v);
                    foreach (var tag in tags)
                    {
                        if (tag.Key == "source" && (string?)tag.Value == "backlog")
                        {
                            Interlocked.Add(ref _backlog, v);
                        }
                    }
                }
            });
            _listener.SetMeasurementEventCallback<double>((i, v, _, _) =>
            {
                if (i.Name == "edgetwin.uplink.live.latency")
                {
                    lock (_latencies)
                    {
                        _latencies.Add(v * 1000);
                    }
                }
            });
            _listener.Start();
        }

        public long Samples => Interlocked.Read(ref _samples);

        public long Published => Interlocked.Read(ref _published);

        public long BacklogPublished => Interlocked.Read(ref _backlog);

        public List<double> LiveLatencies()
        {
            lock (_latencies)
            {
                return [.. _latencies];
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
