namespace EdgeTwin.Bench.Ingest;

using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using EdgeTwin.Ingest.Identity;
using EdgeTwin.Ingest.Mqtt;
using EdgeTwin.Ingest.Options;
using EdgeTwin.Ingest.Processing;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Ingest.Storage.LiteDb;
using EdgeTwin.Ingest.Storage.Postgres;
using EdgeTwin.Ingest.Topics;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Signing;
using Microsoft.Extensions.Options;

/// <summary>
/// Ingest load runner (docs/benchmarks.md "Ingest"): records verified and stored per second by the
/// batch processor (the whole ingest minus the broker), per backend, with 1 or 2 workers on one
/// store, and memory per 1,000 tracked chains. Pre-generates signed chains so only the ingest is timed.
/// Usage: ingest-load [litedb|postgres:CONNECTION] [gateways=20] [records-per-gateway=2000] [workers=1] [--batch MESSAGES=Ingest:BatchSize] [--window MESSAGES=Ingest:ReceiveWindow] [--lanes N=Ingest:StoreLanes] [--secp native|managed] [--samples N=1] [--sections [--broker mqtt://HOST:PORT]] [--worker-cpu FRACTION] [--cache GATEWAYS=Ingest:VerifierCacheGateways]
/// (--worker-cpu: PostgreSQL only; each worker a process of its own capped at FRACTION of a core by a cgroup: <see cref="WorkerProcesses"/>).
/// (--samples: samples per obs record; 1 is a vital's record, more an ECG run at 250 Hz with
/// millivolts to three decimals, as the simulator's: a ward's mix averages about 36, an ECG second 250).
/// (--sections: one worker, a warm-up and a first pass, then each stage timed on its own: <see cref="IngestSections"/>).
/// </summary>
internal static class IngestLoad
{
    public static async Task<int> RunAsync(string[] args)
    {
        var storage = args.Length > 0 ? args[0] : "litedb";
        var gateways = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
        var perGateway = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2000;
        var workers = args.Length > 3 && !args[3].StartsWith("--", StringComparison.Ordinal) ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1;
        var sections = args.Contains("--sections");

        // The worker's signatures as a worker makes them (IngestIdentity installs native libsecp256k1); --secp managed for the managed path.
        if (BenchProgram.Value(args, "--secp") != "managed" && !Secp256k1Accelerator.TryInstall(NativeSecp256k1.Instance, out var secpProblem))
        {
            Console.Error.WriteLine($"ingest-load: native libsecp256k1 not used: {secpProblem}");
            return 1;
        }

        var broker = BenchProgram.Value(args, "--broker");
        // Ingest:BatchSize and Ingest:ReceiveWindow, each the ingest's default when not given, and the same rule for what one alone means.
        var flow = new IngestOptions
        {
            BatchSize = BenchProgram.Value(args, "--batch") is { } size ? int.Parse(size, CultureInfo.InvariantCulture) : null,
            ReceiveWindow = BenchProgram.Value(args, "--window") is { } receive ? int.Parse(receive, CultureInfo.InvariantCulture) : null,
        };
        BatchMessages = FlowControl.BatchSize(flow);
        WindowMessages = FlowControl.ReceiveMaximum(flow);
        SamplesPerRecord = BenchProgram.Value(args, "--samples") is { } samples ? int.Parse(samples, CultureInfo.InvariantCulture) : 1;
        Lanes = BenchProgram.Value(args, "--lanes") is { } lanes ? int.Parse(lanes, CultureInfo.InvariantCulture) : null;
        if (BenchProgram.Value(args, "--worker-cpu") is { } cpuShare)
        {
            return await WorkerProcesses.RunAsync(storage, gateways, perGateway, workers, double.Parse(cpuShare, CultureInfo.InvariantCulture), args);
        }

        // A worker process of WorkerProcesses: its own share of the gateways under names of its own, timed on "go".
        var child = BenchProgram.Value(args, "--child");
        var tag = child is null ? string.Empty : child.Split('/')[0];
        if (storage == "memory")
        {
            // ingest-load memory <chains> [observations per chain, 600 when not given]
            MeasureMemory(gateways, args.Length > 2 ? perGateway : 600);
            return 0;
        }

        var now = DateTimeOffset.UtcNow;
        var options = new IngestOptions();
        if (BenchProgram.Value(args, "--cache") is { } cache)
        {
            options.VerifierCacheGateways = int.Parse(cache, CultureInfo.InvariantCulture);
        }

        var streams = Enrolled("bench" + tag, gateways, perGateway, options, now);

        var dir = Directory.CreateTempSubdirectory("edgetwin-bench-").FullName;
        var stores = new List<IIngestStore>();
        for (var w = 0; w < workers; w++)
        {
            IIngestStore store = storage == "litedb" ? new LiteDbIngestStore(dir) : new PostgresIngestStore(storage["postgres:".Length..]);
            await store.InitializeAsync(default);
            stores.Add(store);
        }

        // Warm-up gateways, enrolled too, their chains stored like the others, so JIT tiering is done
        // before the timing (a worker runs for days; a 10-second run would otherwise time the JIT).
        var warm = Enrolled("warm" + tag, 2, 3000, options, now);

        var warmer = new BatchProcessor(stores[0], new Monitor(options), TimeProvider.System);
        // Small batches: the per-batch code runs often enough (about 50 times) to reach its optimised tier too.
        foreach (var batch in Batches(warm, 128))
        {
            await warmer.ProcessAsync(batch, default);
        }

        // A pass of the same shape first (as many fresh gateways with as many records, the same batches and
        // workers), untimed: the short warm-up above leaves the tiered compiler thousands of methods to
        // compile and the dynamic-PGO instrumented code to run, and a run timed right after it spent half
        // its CPU time in the JIT (2026-12-05: 3.5 of 7 s; 64 methods and 0.03 s in a pass after a first).
        // A worker runs for days: the second pass (or the sections) is its steady state. Both are printed.
        var warmPass = Enrolled("pass" + tag, gateways, perGateway, options, now);

        var first = await TimePassAsync(warmPass, stores, options);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"first pass (not the figure: JIT tiering): records={warmPass.Sum(s => s.Count)} seconds={first.Seconds:F2} records/s={warmPass.Sum(s => s.Count) / first.Seconds:F0} cpu-seconds={first.Cpu:F2} jit-seconds={first.Jit:F2}"));

        // A worker process (a share of the gateways, beside other workers compiling too) may end its first
        // pass with the tiering unfinished: more untimed passes, until one compiles for under a tenth of a second.
        for (var more = 1; child is not null && first.Jit >= 0.1 && more <= 4; more++)
        {
            var again = Enrolled($"pass{tag}x{more}", gateways, perGateway, options, now);
            first = await TimePassAsync(again, stores, options);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"untimed pass {more + 1}: seconds={first.Seconds:F2} jit-seconds={first.Jit:F2}"));
        }

        if (sections)
        {
            var processor = warmer;
            var enrolled = options.Enrolled.Where(e => e.Key.StartsWith("bench-", StringComparison.Ordinal)).ToDictionary(e => e.Key, e => e.Value);
            await IngestSections.RunAsync(streams, enrolled, batch => processor.ProcessAsync(batch, default), broker);
            await stores[0].DisposeAsync();
            Directory.Delete(dir, recursive: true);
            return 0;
        }

        if (child is not null)
        {
            // Ready: the parent starts every worker's timed pass at once.
            Console.WriteLine(WorkerProcesses.Ready);
            if (Console.In.ReadLine() != WorkerProcesses.Go)
            {
                return 2;
            }
        }

        var total = streams.Sum(s => s.Count);
        var (seconds, cpuSeconds, jitSeconds) = await TimePassAsync(streams, stores, options);
        var verified = (await stores[0].ChainsAsync(null, default)).Where(c => c.Id.Gw.StartsWith($"bench{tag}-", StringComparison.Ordinal)).Sum(c => c.VerifiedThrough + 1);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ingest-load storage={storage.Split(':')[0]} workers={workers} lanes={LanesFor(stores[0])} cache={options.VerifierCacheGateways} batch={BatchMessages} window={WindowMessages} samples/record={SamplesPerRecord} gateways={gateways} records={total} verified={verified} seconds={seconds:F2} records/s={total / seconds:F0} cpu-seconds={cpuSeconds:F2} records/cpu-s={total / cpuSeconds:F0} jit-seconds={jitSeconds:F2} load={File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
        foreach (var s in stores)
        {
            await s.DisposeAsync();
        }

        Directory.Delete(dir, recursive: true);
        return verified == 0 ? 1 : 0;
    }

    /// <summary>
    /// One pass over the streams, each worker (a processor on its own store) taking every workers-th
    /// gateway: wall seconds, the process's CPU seconds, and the JIT's compiling seconds within them.
    /// Each worker runs the ingest worker's own pipeline (<see cref="BatchPipeline{TItem, TResult}"/>:
    /// <see cref="Lanes"/> store lanes by gateway, batches of <see cref="BatchMessages"/>, messages
    /// planned as they arrive, at most its receive window unacknowledged), fed as a broker delivers:
    /// the gateways' records interleaved; no MQTT, no receipts.
    /// </summary>
    private static async Task<(double Seconds, double Cpu, double Jit)> TimePassAsync(List<List<IncomingMessage>> streams, List<IIngestStore> stores, IngestOptions options)
    {
        var workers = stores.Count;
        var jit = JitInfo.GetCompilationTime();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var processor = new BatchProcessor(stores[w], new Monitor(options), TimeProvider.System);
            var window = new SemaphoreSlim(WindowMessages);
            var pipeline = new BatchPipeline<PlannedMessage, BatchResult>(
                WindowMessages, BatchMessages, FlowControl.CommittedBatches, LanesFor(stores[w]), p => p.Message.Name.Gw,
                (batch, ct) => processor.ProcessAsync(batch, ct), (_, _, _) => Task.CompletedTask,
                (acknowledged, _) =>
                {
                    window.Release(acknowledged.Count);
                    return Task.CompletedTask;
                });
            var run = pipeline.RunAsync(default);
            foreach (var m in Batches(streams.Where((_, i) => i % workers == w).ToList()).SelectMany(b => b))
            {
                await window.WaitAsync();
                await pipeline.EnqueueAsync(BatchProcessor.Plan(m), default);
            }

            pipeline.Complete();
            await run;
        })));
        sw.Stop();
        return (sw.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds, (JitInfo.GetCompilationTime() - jit).TotalSeconds);
    }

    /// <summary>Store lanes per worker (<c>Ingest:StoreLanes</c>; <c>--lanes</c>, the option's default when not given; 1 on a store that takes one writer at a time).</summary>
    public static int? Lanes { get; private set; }

    private static int LanesFor(IIngestStore store) => store.ConcurrentWrites ? Lanes ?? new IngestOptions().StoreLanes : 1;

    /// <summary>Messages per batch (<c>Ingest:BatchSize</c>; <c>--batch</c>).</summary>
    public static int BatchMessages { get; private set; } = FlowControl.BatchSize(new IngestOptions());

    /// <summary>Messages a worker takes unacknowledged (<c>Ingest:ReceiveWindow</c>; <c>--window</c>).</summary>
    public static int WindowMessages { get; private set; } = FlowControl.ReceiveMaximum(new IngestOptions());

    /// <summary>Samples in each obs record (<c>--samples</c>).</summary>
    public static int SamplesPerRecord { get; private set; } = 1;

    /// <summary>Batches of <see cref="BatchMessages"/> messages interleaving the gateways, as a broker delivers them.</summary>
    public static IEnumerable<List<IncomingMessage>> Batches(IReadOnlyList<List<IncomingMessage>> streams, int? size = null)
    {
        var cursor = 0;
        var batch = size ?? BatchMessages;
        var share = Math.Max(1, batch / Math.Max(1, streams.Count));
        while (streams.Any(s => cursor < s.Count))
        {
            // More gateways than a batch holds: the round (one record of each) goes out in batches of the size.
            foreach (var part in streams.SelectMany(s => s.Skip(cursor).Take(share)).Chunk(batch))
            {
                yield return [.. part];
            }

            cursor += share;
        }
    }

    /// <summary>Signed chains of <paramref name="gateways"/> new gateways named <c>PREFIX-NNNN</c>, each enrolled with its own key.</summary>
    private static List<List<IncomingMessage>> Enrolled(string prefix, int gateways, int perGateway, IngestOptions options, DateTimeOffset now)
    {
        var streams = new List<List<IncomingMessage>>();
        for (var i = 0; i < gateways; i++)
        {
            using var key = GatewayKey.Generate();
            var gw = $"{prefix}-{i:D4}";
            options.Enrolled[gw] = key.Address;
            streams.Add(Produce(gw, key, perGateway, now));
        }

        return streams;
    }

    private static List<IncomingMessage> Produce(string gw, GatewayKey key, int count, DateTimeOffset now)
    {
        var topic = $"edgetwin/v1/bench/{gw}/telemetry";
        TopicName.TryParse("edgetwin/v1", topic, out var name);
        var w = ChainWriter.StartNew(gw, Lane.Telemetry, key, CheckpointPolicy.Default, GenesisReason.FirstStart, "bench", now, ClockQuality.Synced, out var genesis);
        var list = new List<IncomingMessage> { new(topic, name!, genesis.Payload, now) };
        for (var i = 0; i < count; i++)
        {
            list.Add(new(topic, name!, w.AppendObs(Body(gw, i, now), now, ClockQuality.Synced).Payload, now));
            if (w.CheckpointIfDue(now, ClockQuality.Synced) is { } cp)
            {
                list.Add(new(topic, name!, cp.Payload, now));
            }
        }

        list.Add(new(topic, name!, w.Checkpoint(now, ClockQuality.Synced)!.Payload, now));
        return list;
    }

    /// <summary>
    /// The body of <paramref name="gw"/>'s <paramref name="i"/>-th obs record, made at <paramref name="now"/>:
    /// one heart rate sample, or with <see cref="SamplesPerRecord"/> above 1 an ECG run (also <c>ingest-latency</c>'s records).
    /// </summary>
    internal static ObsBody Body(string gw, int i, DateTimeOffset now) => SamplesPerRecord == 1
        ? new ObsBody("p-" + gw, gw + "-mon", "loinc:8867-4", "/min", now, 0, [60 + (i % 40)])
        : new ObsBody("p-" + gw, gw + "-mon", "mdc:131330", "mV", now, 0.004, [.. Enumerable.Range(0, SamplesPerRecord).Select(k => (double?)Math.Round(Math.Sin((i * SamplesPerRecord) + k) * 1.2, 3))]);

    private static void MeasureMemory(int chains, int observations)
    {
        // Each tracked chain: a verifier with its linked-hash memory and a few held records.
        var now = DateTimeOffset.UtcNow;
        using var key = GatewayKey.Generate();
        var payloads = new List<(string Gw, string Epoch, byte[][] Records)>();
        for (var i = 0; i < chains; i++)
        {
            var gw = $"mem-{i:D5}";
            var w = ChainWriter.StartNew(gw, Lane.Telemetry, key, CheckpointPolicy.Default, GenesisReason.FirstStart, "bench", now, ClockQuality.Synced, out var genesis);
            var records = new List<byte[]> { genesis.Payload };
            for (var n = 0; n < observations; n++)
            {
                records.Add(w.AppendObs(new ObsBody("p", "d", "loinc:8867-4", "/min", now, 0, [60]), now, ClockQuality.Synced).Payload);
                if (w.CheckpointIfDue(now, ClockQuality.Synced) is { } cp)
                {
                    records.Add(cp.Payload);
                }
            }

            payloads.Add((gw, w.State.Epoch, [.. records]));
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var cache = new VerifierCache(chains);
        foreach (var (gw, epoch, records) in payloads)
        {
            var v = cache.For(gw, key.Address, out _);
            foreach (var r in records)
            {
                v.Add(r);
            }

            // As at the end of every ingest batch: the decisions confirmed against the store (all of them,
            // the normal case), their log cleared, the links at rest in the store.
            var id = new ChainId(gw, "telemetry", epoch);
            _ = v.Export(id, v.LinkedThrough(id));
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(cache);
        GC.KeepAlive(payloads);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ingest-memory chains={chains} observations={observations} records={payloads[0].Records.Length} bytes-per-1000-chains={(after - before) * 1000.0 / chains:F0} (RecentWindow={ChainVerification.RecentWindow})"));
    }

    private sealed class Monitor(IngestOptions value) : IOptionsMonitor<IngestOptions>
    {
        public IngestOptions CurrentValue => value;

        public IngestOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<IngestOptions, string?> listener) => null;
    }
}
