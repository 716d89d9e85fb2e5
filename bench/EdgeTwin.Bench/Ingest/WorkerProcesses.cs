namespace EdgeTwin.Bench.Ingest;

using System.Diagnostics;
using System.Globalization;
using EdgeTwin.Ingest.Storage.Postgres;

/// <summary>
/// <c>ingest-load ... WORKERS --worker-cpu FRACTION</c> (docs/benchmarks.md, "Worker count with a core share
/// each"): each worker a bench process of its own (<c>--child W/N</c>: its share of the gateways, under names of
/// its own, its warm-up and first pass untimed and not capped), each capped in its timed pass at FRACTION of a core by a CPU cgroup, the
/// database not capped. The parent starts every worker's timed pass at once and times until the last
/// one reports. On a box whose cores the workers and the database share, the worker count cannot show
/// what it does when each worker has its own host; a cap per worker stands in for that host, so the
/// ratio of two capped workers to one is the workers' own scaling (their contention in the database
/// included), not the box's.
/// </summary>
internal static class WorkerProcesses
{
    public const string Ready = "worker-ready";

    public const string Go = "go";

    public static async Task<int> RunAsync(string storage, int gateways, int perGateway, int workers, double share, string[] args)
    {
        if (!storage.StartsWith("postgres:", StringComparison.Ordinal))
        {
            Console.Error.WriteLine($"ingest-load: --worker-cpu needs postgres:CONNECTION (workers in processes of their own share one database; '{storage.Split(':')[0]}' takes one process)");
            return 2;
        }

        if (!(share > 0 && share <= Environment.ProcessorCount) || workers < 1 || gateways < workers)
        {
            Console.Error.WriteLine($"ingest-load: --worker-cpu {share.ToString(CultureInfo.InvariantCulture)} with {workers} workers and {gateways} gateways: the share must be above 0 and at most {Environment.ProcessorCount} cores, and every worker needs a gateway");
            return 2;
        }

        // The schema once, before the workers start (each one's start then finds it).
        await using (var store = new PostgresIngestStore(storage["postgres:".Length..]))
        {
            await store.InitializeAsync(default);
        }

        var passOn = new List<string>();
        foreach (var name in new[] { "--batch", "--lanes", "--samples" })
        {
            if (BenchProgram.Value(args, name) is { } value)
            {
                passOn.AddRange([name, value]);
            }
        }

        var groups = new List<CpuCgroup>();
        var children = new List<Process>();
        try
        {
            for (var w = 0; w < workers; w++)
            {
                var group = CpuCgroup.Create($"edgetwin-bench-{Environment.ProcessId}-{w}", share);
                groups.Add(group);
                var start = new ProcessStartInfo(Environment.ProcessPath!)
                {
                    RedirectStandardInput = true,
                    RedirectStandardOutput = true,
                    UseShellExecute = false,
                };
                var mine = (gateways / workers) + (w < gateways % workers ? 1 : 0);
                foreach (var a in (string[])[typeof(WorkerProcesses).Assembly.Location, "ingest-load", storage, mine.ToString(CultureInfo.InvariantCulture), perGateway.ToString(CultureInfo.InvariantCulture), "1", "--child", $"{w}/{workers}", .. passOn])
                {
                    start.ArgumentList.Add(a);
                }

                children.Add(Process.Start(start)!);
            }

            for (var w = 0; w < workers; w++)
            {
                string? line;
                while ((line = await children[w].StandardOutput.ReadLineAsync()) != Ready)
                {
                    if (line is null)
                    {
                        Console.Error.WriteLine($"ingest-load: worker {w} ended before its timed pass (exit {await ExitCodeAsync(children[w])})");
                        return 1;
                    }

                    Console.WriteLine($"[worker {w}] {line}");
                }
            }

            // Into their groups only now: the warm-up and the first pass (the JIT's tiering, which a capped
            // process takes many times longer to finish and then still compiles in the timed pass) run as
            // ingest-load's single process does; the timed pass runs capped.
            for (var w = 0; w < workers; w++)
            {
                groups[w].Add(children[w].Id);
            }

            var throttledBefore = groups.Select(g => g.ThrottledSeconds()).ToArray();
            var sw = Stopwatch.StartNew();
            foreach (var c in children)
            {
                await c.StandardInput.WriteLineAsync(Go);
                await c.StandardInput.FlushAsync();
            }

            var results = await Task.WhenAll(children.Select(async (c, w) =>
            {
                string? line;
                string? result = null;
                while ((line = await c.StandardOutput.ReadLineAsync()) is not null)
                {
                    if (line.StartsWith("ingest-load ", StringComparison.Ordinal))
                    {
                        result = line;
                        break;
                    }

                    Console.WriteLine($"[worker {w}] {line}");
                }

                var at = sw.Elapsed.TotalSeconds;
                await c.WaitForExitAsync();
                return (Line: result, At: at, Exit: c.ExitCode);
            }));
            var seconds = results.Max(r => r.At);
            for (var w = 0; w < workers; w++)
            {
                Console.WriteLine($"[worker {w}] {results[w].Line ?? "(no result line)"} exit={results[w].Exit} throttled-s={groups[w].ThrottledSeconds() - throttledBefore[w]:F2}");
            }

            if (results.Any(r => r.Line is null || r.Exit != 0))
            {
                return 1;
            }

            var records = results.Sum(r => Field(r.Line!, "records"));
            var verified = results.Sum(r => Field(r.Line!, "verified"));
            var cpu = results.Sum(r => Field(r.Line!, "cpu-seconds"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ingest-load storage=postgres workers={workers} processes, each capped at {share:0.##} of a core ({groups[0].Describe}) options=[{string.Join(' ', passOn)}] gateways={gateways} records={records} verified={verified} seconds={seconds:F2} records/s={records / seconds:F0} worker-cpu-seconds={cpu:F2} load={File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
            return 0;
        }
        finally
        {
            foreach (var c in children)
            {
                if (!c.HasExited)
                {
                    c.Kill(entireProcessTree: true);
                    await c.WaitForExitAsync();
                }

                c.Dispose();
            }

            foreach (var g in groups)
            {
                g.Dispose();
            }
        }
    }

    /// <summary>A <c>name=value</c> figure of a result line.</summary>
    internal static double Field(string line, string name)
    {
        var token = line.Split(' ').FirstOrDefault(t => t.StartsWith(name + "=", StringComparison.Ordinal))
            ?? throw new FormatException($"'{name}=' is not in the worker's line: {line}");
        return double.Parse(token[(name.Length + 1)..], CultureInfo.InvariantCulture);
    }

    private static async Task<string> ExitCodeAsync(Process p)
    {
        await p.WaitForExitAsync();
        return p.ExitCode.ToString(CultureInfo.InvariantCulture);
    }
}
