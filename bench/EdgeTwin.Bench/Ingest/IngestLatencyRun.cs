namespace EdgeTwin.Bench.Ingest;

using System.Diagnostics;
using System.Globalization;
using EdgeTwin.Bench.WholeSystem;
using EdgeTwin.Ingest.Tests.Integration;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Integration.Tests.Support;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Signing;
using Npgsql;

/// <summary>
/// <c>ingest-latency</c> (issue 13's "sample -> verified at the ingest p99 &lt;= 1 s at 10,000 records/s";
/// docs/benchmarks.md "Issue 13: publish -> verified latency"): a real mosquitto, N built Release ingest
/// worker processes in one shared-subscription group on a real PostgreSQL (a scratch cluster, or
/// <c>--postgres</c>), started with the integration tests' harness; G gateways' chains of one-sample
/// records signed beforehand (<see cref="PacedChain"/>) and published on their schedule at R records/s
/// (<see cref="PacedPublisher"/>); a record counts as verified when the first receipt covering its seq
/// reaches a subscriber on the broker (<see cref="ReceiptWatch"/>). Prints one line: publish -> verified
/// per obs record sealed in the window, split into the wait for the checkpoint that covers it and that
/// checkpoint's own publish -> verified, rates, records not verified, CPU per process. Exits 1 when any
/// record was not verified within the grace period, a publish failed or a receipt was wrong.
/// </summary>
internal static class IngestLatencyRun
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    public static async Task<int> RunAsync(IngestLatencyOptions o, TextWriter output)
    {
        if (!File.Exists(GatewayProcess.IngestDll) || !GatewayProcess.IngestDll.Contains("/Release/", StringComparison.Ordinal))
        {
            output.WriteLine($"ingest-latency: {GatewayProcess.IngestDll} is missing: dotnet build bench/EdgeTwin.Bench -c Release first");
            return 2;
        }

        output.WriteLine($"{Environment.ProcessorCount} cores; load average before: {LoadAverage()}");
        var clock = Stopwatch.StartNew();
        var policy = new CheckpointPolicy { MaxRecords = o.CheckpointRecords, MaxDelay = TimeSpan.FromMilliseconds(o.CheckpointMs) };
        var origin = DateTimeOffset.UtcNow;
        var chains = new PacedChain[o.Gateways];
        Parallel.For(0, o.Gateways, i => chains[i] = PacedChain.Generate(i, o.Gateways, o.Rate, o.ObsRecordsPerGateway, policy, TimeSpan.FromMilliseconds(o.LingerMs), origin));
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"signed {chains.Sum(c => c.Count):N0} records of {o.Gateways} gateways in {clock.Elapsed.TotalSeconds:F1} s"));

        var pg = o.Postgres is null ? new PostgresFixture() : null;
        var root = Directory.CreateTempSubdirectory("edgetwin-bench-latency-").FullName;
        var workers = new List<GatewayProcess>();
        try
        {
            string connection;
            int? postmaster;
            if (pg is not null)
            {
                await pg.InitializeAsync().ConfigureAwait(false);
                connection = await pg.CreateDatabaseAsync().ConfigureAwait(false);
                postmaster = int.Parse(File.ReadLines(Path.Combine(pg.DataDir, "postmaster.pid")).First(), CultureInfo.InvariantCulture);
            }
            else
            {
                connection = o.Postgres!;
                postmaster = await PostmasterAsync(connection).ConfigureAwait(false);
            }

            using var broker = new Mosquitto(persistence: false);
            StartWorkers(o, chains, broker, connection, root, workers);
            await Wait.UntilAsync(() => workers.TrueForAll(w => w.HasExited || w.Stdout.Contains("Subscribed to", StringComparison.Ordinal)), StartTimeout, "every ingest worker subscribed").ConfigureAwait(false);
            if (workers.Find(w => w.HasExited) is { } gone)
            {
                output.WriteLine($"ingest-latency: an ingest worker exited at start ({gone.ExitCode}):\n{gone.Stdout}{gone.Stderr}");
                return 1;
            }

            await using var receipts = await ReceiptWatch.StartAsync(broker.Port, chains).ConfigureAwait(false);
            using var publisher = PacedPublisher.Connect(broker.Port, o.Connections, chains);
            var start = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 10);
            var publishing = new Thread(() => publisher.Run(start)) { IsBackground = true, Name = "paced publisher" };
            publishing.Start();
            Reading Read() => new(Stopwatch.GetTimestamp(), [.. workers.Select(w => ProcStat.CpuSeconds(w.Id))], ProcStat.CpuSeconds(broker.Id ?? 0),
                postmaster is { } pm ? ProcStat.TreeCpuSeconds(pm) : double.NaN, Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds);
            await DelayUntilAsync(start, o.Warmup).ConfigureAwait(false);
            var before = Read();
            await DelayUntilAsync(start, o.Warmup + o.Seconds).ConfigureAwait(false);
            var after = Read();
            await Task.Run(publishing.Join).ConfigureAwait(false);
            var allVerified = await Task.WhenAny(receipts.AllVerified, Task.Delay(TimeSpan.FromSeconds(o.Grace))).ConfigureAwait(false) == receipts.AllVerified;
            try
            {
                await Wait.UntilAsync(() => publisher.Acked >= publisher.Sent || publisher.Failure is not null, TimeSpan.FromSeconds(10), "the broker's last PUBACKs").ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Counted as not acknowledged below, and the run fails.
            }

            var unacknowledged = publisher.Sent - publisher.Acked;

            // The ledger's side: what the workers receipted, whether or not the watch saw it. A receipt the
            // ledger has and the watch never saw would be counted against the workers as "not verified".
            var ledger = await ReceiptedInLedgerAsync(connection).ConfigureAwait(false);
            var seen = receipts.ReceiptedSeqs;

            var result = LatencyResult.Of(chains, publisher, o, before.At, after.At);
            var problems = (receipts.Wrong + unacknowledged > 0 ? $" publishes not acknowledged={unacknowledged} ({publisher.Failure}) wrong receipts={receipts.Wrong} |" : string.Empty)
                + (receipts.Lost is { } lost ? $" the receipt watch lost its connection {lost}: later receipts unseen |" : string.Empty)
                + (ledger > seen ? $" receipts unseen: the ledger has receipted {ledger - seen:N0} seqs more than the watch saw ({ledger:N0} against {seen:N0}): the latencies miss them |" : string.Empty);
            output.WriteLine(Line(o, result, before, after, problems));
            var dead = workers.FindAll(w => w.HasExited);
            if (!allVerified || dead.Count > 0)
            {
                output.WriteLine($"ingest-latency: {result.NotVerified:N0} records not verified {o.Grace} s after the last publish; {dead.Count} worker(s) exited; the workers' logs (warnings and above):");
                workers.ForEach(w => output.WriteLine(Tail(w.Stdout + w.Stderr)));
            }

            return allVerified && result.NotVerified == 0 && dead.Count == 0 && receipts.Wrong == 0 && unacknowledged == 0 && receipts.Lost is null && ledger <= seen ? 0 : 1;
        }
        finally
        {
            workers.ForEach(w => w.Dispose());
            if (pg is not null)
            {
                await pg.DisposeAsync().ConfigureAwait(false);
            }

            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>
    /// The workers as the integration tests start them (<see cref="GatewayProcess.StartIngest"/>): one key
    /// file and one token key for all, every gateway enrolled, one shared group, logs at Warning but for
    /// the worker's "Subscribed" line, which the run waits for.
    /// </summary>
    private static void StartWorkers(IngestLatencyOptions o, PacedChain[] chains, Mosquitto broker, string connection, string root, List<GatewayProcess> workers)
    {
        var keyFile = Path.Combine(root, "ingest.key");
        using (var key = GatewayKey.Generate())
        {
            key.SaveToFile(keyFile);
        }

        var tokenKey = IngestTokens.NewKeyFile(root);
        string[] args =
        [
            $"--Ingest:Broker={broker.Url}", $"--Ingest:Storage=postgres:{connection}", $"--Ingest:SharedGroup=lat{Guid.NewGuid():N}"[..40],
            $"--Ingest:KeyFile={keyFile}", IngestTokens.KeyFileArg(tokenKey),
            "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:EdgeTwin.Ingest.Mqtt.MqttIngestWorker=Information",
            .. chains.Select(c => $"--Ingest:Enrolled:{c.Gw}={c.Address}"),
            .. o.Batch is { } batch ? [$"--Ingest:BatchSize={batch}"] : Array.Empty<string>(),
            .. o.Window is { } window ? [$"--Ingest:ReceiveWindow={window}"] : Array.Empty<string>(),
        ];
        for (var w = 0; w < o.Workers; w++)
        {
            workers.Add(GatewayProcess.StartIngest(root, [.. args, $"--urls=http://127.0.0.1:{Mosquitto.FreePort()}"]));
        }
    }

    private static string Line(IngestLatencyOptions o, LatencyResult r, Reading before, Reading after, string problems)
    {
        var wall = (after.At - before.At) / (double)Stopwatch.Frequency;
        string Cpu(double b, double a) => double.IsNaN(a) ? "n/a" : string.Create(CultureInfo.InvariantCulture, $"{100 * (a - b) / wall:F0} %");
        static string Ms(LatencyHistogram h, double max) => string.Create(CultureInfo.InvariantCulture, $"{h.Percentile(0.5):N0} / {h.Percentile(0.9):N0} / {h.Percentile(0.99):N0} / {max:N0} ms");
        var workers = string.Join(" + ", before.Workers.Zip(after.Workers, Cpu));
        return string.Create(CultureInfo.InvariantCulture,
            $"ingest-latency rate={o.Rate:N0} achieved={r.ObsInWindow / wall:N0} obs records/s ({r.AllInWindow / wall:N0} with checkpoints) seconds={o.Seconds} warmup={o.Warmup} workers={o.Workers} batch={(o.Batch is { } b ? b.ToString(CultureInfo.InvariantCulture) : "default")} window={(o.Window is { } w ? w.ToString(CultureInfo.InvariantCulture) : "default")} gateways={o.Gateways} " +
            $"linger={o.LingerMs} ms checkpoint={o.CheckpointRecords}/{o.CheckpointMs} ms | records={r.Measured.Count:N0} publish->verified p50/p90/p99/max={Ms(r.Measured, r.MeasuredMax)} | " +
            $"of it waiting for the checkpoint p50/p99={r.ToCheckpoint.Percentile(0.5):N0} / {r.ToCheckpoint.Percentile(0.99):N0} ms | checkpoint publish->verified p50/p90/p99/max={Ms(r.CheckpointToVerified, r.CheckpointMax)} | " +
            $"not verified within {o.Grace} s={r.NotVerified:N0} | publish behind schedule p99/max={r.LateP99:F1} / {r.LateMax:F1} ms |{problems} " +
            $"CPU workers {workers}, mosquitto {Cpu(before.Broker, after.Broker)}, PostgreSQL {Cpu(before.Postgres, after.Postgres)}, bench {Cpu(before.Bench, after.Bench)} | load {LoadAverage()}");
    }

    /// <summary>The telemetry seqs the workers have receipted, over all chains (<c>ingest_chains.receipted_through + 1</c>).</summary>
    private static async Task<long> ReceiptedInLedgerAsync(string connection)
    {
        await using var db = NpgsqlDataSource.Create(connection);
        await using var cmd = db.CreateCommand("SELECT coalesce(sum(receipted_through + 1), 0)::bigint FROM ingest_chains WHERE lane = 'telemetry'");
        return (long)(await cmd.ExecuteScalarAsync().ConfigureAwait(false))!;
    }

    /// <summary>The postmaster's pid of the server behind <paramref name="connection"/>, when its data directory is readable here (else no PostgreSQL CPU is shown).</summary>
    private static async Task<int?> PostmasterAsync(string connection)
    {
        try
        {
            await using var db = NpgsqlDataSource.Create(connection);
            await using var cmd = db.CreateCommand("SHOW data_directory");
            var dir = (string)(await cmd.ExecuteScalarAsync().ConfigureAwait(false))!;
            return int.Parse(File.ReadLines(Path.Combine(dir, "postmaster.pid")).First(), CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NpgsqlException or FormatException)
        {
            return null;
        }
    }

    private static async Task DelayUntilAsync(long start, int seconds)
    {
        var left = start + (seconds * Stopwatch.Frequency) - Stopwatch.GetTimestamp();
        if (left > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds(left / (double)Stopwatch.Frequency)).ConfigureAwait(false);
        }
    }

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static string Tail(string log) => string.Join('\n', log.Split('\n').TakeLast(40));

    /// <summary>CPU seconds so far of each worker, mosquitto, PostgreSQL (its tree; NaN when unknown) and the bench, at a <see cref="Stopwatch"/> timestamp.</summary>
    private sealed record Reading(long At, double[] Workers, double Broker, double Postgres, double Bench);
}
