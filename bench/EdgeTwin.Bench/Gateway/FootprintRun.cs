namespace EdgeTwin.Bench.Gateway;

using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

/// <summary>
/// <c>gateway-footprint</c> (issue 15): the built gateway as its own process (Release, the dotnet host),
/// N simulated beds, the ONNX model loaded, publishing to a real mosquitto on loopback. Reports the
/// time from process start to the first record the broker acknowledged (PUBACK, from /metrics), RSS
/// after the given seconds and its peak (VmHWM), RSS split anon/file/shmem, the major faults and the
/// published and sampled rates over the measured window (from <c>--window-from</c> seconds to the end),
/// and the five biggest mappings (/proc/PID/smaps).
/// Runtime settings come from the environment (e.g. <c>DOTNET_gcServer=1</c> to compare GC modes).
/// <c>--exe PATH</c> measures another build of the gateway the same way: a published .dll (run by the
/// dotnet host) or a native executable (a NativeAOT publish), e.g. to compare ahead-of-time builds.
/// <c>--memory-limit 80M[,64M,...]</c> runs it inside a memory cgroup of each size (<see cref="MemoryCgroup"/>),
/// each after a run without a limit (the reference for throughput parity), <c>--repeat N</c> rounds, the page
/// cache of the files it maps evicted before every run (<see cref="PageCache"/>), and reports the group's
/// usage, peak, failures at the limit and OOM kills, and what limit the .NET GC derives from it.
/// </summary>
internal static partial class FootprintRun
{
    /// <summary>
    /// Published rate under a limit, as a share of the reference's, at or above which a run kept up (no OOM kill
    /// either). Both runs publish what the same simulated ward produces, so a gateway that keeps up matches to
    /// within the window's edges (0.998-1.008 measured); one that does not answer /metrics has no rate at all.
    /// </summary>
    private const double KeptUp = 0.99;

    public static int Run(FootprintOptions options, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(options);
        var dll = options.Exe ?? Path.Combine(RepositoryRoot(), "src", "Gateway", "bin", "Release", "net10.0", "EdgeTwin.Gateway.dll");
        if (!File.Exists(dll))
        {
            output.WriteLine(options.Exe is null
                ? $"gateway-footprint: {dll} is missing: dotnet build src/Gateway -c Release first"
                : $"gateway-footprint: --exe {options.Exe}: no such file");
            return 2;
        }

        var host = dll.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        var cache = new HashSet<string>(StartFiles(dll, host), StringComparer.Ordinal);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"gateway-footprint {(options.Exe is null ? "" : $"exe={options.Exe} ")}beds={options.Beds} seconds={options.Seconds} window={options.WindowFrom}-{options.Seconds} s gcServer={Environment.GetEnvironmentVariable("DOTNET_gcServer") ?? "(runtimeconfig)"} GCRegionSize={Environment.GetEnvironmentVariable("DOTNET_GCRegionSize") ?? "(default)"} ReleaseStartupPagesAfter={Environment.GetEnvironmentVariable("Gateway__ReleaseStartupPagesAfter") ?? "(appsettings.json)"} load average {LoadAverage()}"));

        if (options.Limits.Count == 0)
        {
            return Measure(dll, host, options, null, cache, output) is { FirstPublish: not null } ? 0 : 1;
        }

        try
        {
            // Before anything runs: a box where no memory cgroup can be made (not root, no controller) is told so.
            MemoryCgroup.Create($"edgetwin-footprint-{Environment.ProcessId}-check", options.Limits[0]).Dispose();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            output.WriteLine($"gateway-footprint: --memory-limit needs a memory cgroup this process may make (root, cgroup v1 memory or v2 with the memory controller): {ex.Message}");
            return 2;
        }

        foreach (var limit in options.Limits)
        {
            output.WriteLine($"  limit {MemoryLimit.Format(limit)}: the .NET GC in such a group sees {GcLimit(limit)}");
        }

        var failed = false;
        var results = new List<(long? Limit, RunResult Result, double? Parity)>();
        for (var round = 1; round <= options.Repeat; round++)
        {
            var reference = Measure(dll, host, options, null, cache, output);
            results.Add((null, reference, null));
            failed |= reference.FirstPublish is null;
            foreach (var limit in options.Limits)
            {
                var result = Measure(dll, host, options, limit, cache, output);
                var parity = result.PublishedPerSecond / reference.PublishedPerSecond;
                var keptUp = parity >= KeptUp && !result.Exited && result.OomKills == 0;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  parity: published {Rate(result.PublishedPerSecond)} records/s under {MemoryLimit.Format(limit)} against {Rate(reference.PublishedPerSecond)} without a limit just before = {(parity is { } p ? $"{p:F3}" : "n/a")}: {(keptUp ? "kept up" : "FELL BEHIND in the window (or had no rate, or was killed)")}"));
                results.Add((limit, result, parity));
                failed |= !keptUp;
            }
        }

        output.WriteLine("summary (per run: RSS at the end MiB, group peak MiB, failcnt, OOM kills, major faults/s in the window, published parity):");
        foreach (var group in results.GroupBy(r => r.Limit))
        {
            output.WriteLine($"  {(group.Key is { } l ? MemoryLimit.Format(l) : "no limit")}: " + string.Join(" | ", group.Select(r => string.Create(CultureInfo.InvariantCulture,
                $"{r.Result.RssKb / 1024.0:F1} {(r.Result.Group is { MaxUsage: >= 0 } g ? $"{g.MaxUsage / 1048576.0:F1}" : "-")} {r.Result.Group?.Failures.ToString(CultureInfo.InvariantCulture) ?? "-"} {r.Result.OomKills}{(r.Result.Exited ? " EXITED" : "")} {Rate(r.Result.MajorFaultsPerSecond)} {(r.Parity is { } p ? p.ToString("F3", CultureInfo.InvariantCulture) : "-")}"))));
        }

        return failed ? 1 : 0;
    }

    /// <summary><c>gc-limit-probe</c>: run inside a group, prints what the GC takes as the memory it may use.</summary>
    public static int Probe(TextWriter output)
    {
        var info = GC.GetGCMemoryInfo();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"total-available={info.TotalAvailableMemoryBytes} heap-hard-limit={AppContext.GetData("GCHeapHardLimit") ?? "(none configured)"}"));
        return 0;
    }

    private static RunResult Measure(string dll, bool host, FootprintOptions options, long? limit, HashSet<string> cache, TextWriter output)
    {
        var result = new RunResult();
        GatewayLoadRun.WithMosquitto((dir, port) =>
        {
            var status = GatewayLoadRun.FreePort();
            var args = GatewayLoadRun.Args(dir, port, options.Beds).Select(a => a.StartsWith("--Status:Url=", StringComparison.Ordinal) ? $"--Status:Url=http://127.0.0.1:{status}" : a).ToArray();
            var eviction = Evict(cache);
            using var group = limit is { } bytes ? MemoryCgroup.Create($"edgetwin-footprint-{Environment.ProcessId}-{Interlocked.Increment(ref s_groups)}", bytes) : null;
            var (file, arguments) = host ? (Dotnet(), (string[])[dll, .. args]) : (dll, args);
            var start = group?.Wrap(file, arguments) ?? new ProcessStartInfo(file, arguments);
            (start.RedirectStandardOutput, start.RedirectStandardError) = (true, true);
            var clock = Stopwatch.StartNew();
            using var gateway = Process.Start(start)!;
            gateway.OutputDataReceived += (_, _) => { };
            gateway.ErrorDataReceived += (_, _) => { };
            gateway.BeginOutputReadLine();
            gateway.BeginErrorReadLine();
            try
            {
                var joined = group is null || WaitUntil(clock, TimeSpan.FromSeconds(5), () => gateway.HasExited || group.Holds(gateway.Id)) && !gateway.HasExited;
                // A gateway that thrashes answers slowly; a slow answer is still a reading.
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
                while (joined && result.FirstPublish is null && clock.Elapsed < TimeSpan.FromSeconds(60) && !gateway.HasExited)
                {
                    if (Counters(http, status) is { Published: > 0 })
                    {
                        result.FirstPublish = clock.Elapsed;
                    }
                    else
                    {
                        Thread.Sleep(10);
                    }
                }

                (TimeSpan At, double Published, double Samples, long Faults)? from = null, to = null;
                if (result.FirstPublish is not null)
                {
                    WaitUntil(clock, TimeSpan.FromSeconds(options.WindowFrom), () => gateway.HasExited);
                    from = Edge(http, status, gateway, clock);
                    WaitUntil(clock, TimeSpan.FromSeconds(options.Seconds), () => gateway.HasExited);
                    to = Edge(http, status, gateway, clock);
                    foreach (var mapped in MappedFiles(gateway))
                    {
                        cache.Add(mapped);
                    }
                }

                result.Exited = gateway.HasExited;
                if (!result.Exited)
                {
                    var procStatus = File.ReadAllText($"/proc/{gateway.Id}/status");
                    (result.RssKb, result.PeakKb) = (MemoryFiles.StatusKb(procStatus, "VmRSS"), MemoryFiles.StatusKb(procStatus, "VmHWM"));
                    (result.AnonKb, result.FileKb, result.ShmemKb) = (MemoryFiles.StatusKb(procStatus, "RssAnon"), MemoryFiles.StatusKb(procStatus, "RssFile"), MemoryFiles.StatusKb(procStatus, "RssShmem"));
                    result.Mappings = [.. Mappings(gateway.Id).Take(5)];
                    result.TotalMajorFaults = MemoryFiles.MajorFaults(File.ReadAllText($"/proc/{gateway.Id}/stat"));
                    result.Group = group?.Read();
                }

                if (from is { } a && to is { } b && b.At > a.At)
                {
                    var span = (b.At - a.At).TotalSeconds;
                    (result.PublishedPerSecond, result.SamplesPerSecond, result.MajorFaultsPerSecond) = ((b.Published - a.Published) / span, (b.Samples - a.Samples) / span, (b.Faults - a.Faults) / span);
                    result.Window = $"{a.At.TotalSeconds:F1}-{b.At.TotalSeconds:F1} s";
                }

                gateway.Kill(entireProcessTree: true);
                gateway.WaitForExit();
                if (group is not null)
                {
                    // After the exit as well: an OOM kill at the very end still counts.
                    var last = group.Read();
                    result.Group ??= last;
                    result.OomKills = last.OomKills;
                }

                Report(limit, group, joined, eviction, result, gateway.ExitCode, output);
                return 0;
            }
            finally
            {
                if (!gateway.HasExited)
                {
                    gateway.Kill(entireProcessTree: true);
                    gateway.WaitForExit();
                }
            }
        });
        return result;
    }

    private static void Report(long? limit, MemoryCgroup? group, bool joined, string eviction, RunResult r, int exitCode, TextWriter output)
    {
        var i = CultureInfo.InvariantCulture;
        var exited = r.Exited ? string.Create(i, $" EXITED (exit code {exitCode}{(exitCode == 137 ? ": SIGKILL" : "")})") : "";
        output.WriteLine(string.Create(i,
            $"run {(limit is { } l ? $"limit={MemoryLimit.Format(l)} (cgroup v{group!.Version}{(joined ? "" : ", NOT JOINED")})" : "no limit")} first-publish={(r.FirstPublish is { } f ? $"{f.TotalSeconds:F2} s" : "none within 60 s")} rss@end={r.RssKb / 1024.0:F1} MiB peak={r.PeakKb / 1024.0:F1} MiB{exited}"));
        output.WriteLine("  page cache: " + eviction);
        if (!r.Exited)
        {
            output.WriteLine(string.Create(i, $"  rss split: anon {r.AnonKb / 1024.0:F1} MiB, file {r.FileKb / 1024.0:F1} MiB, shmem {r.ShmemKb / 1024.0:F1} MiB; major faults since start {r.TotalMajorFaults}"));
        }

        output.WriteLine(r.Window is null
            ? "  window: not measured (no first publish, or /metrics did not answer within 30 s at an edge)"
            : string.Create(i, $"  window {r.Window}: published {Rate(r.PublishedPerSecond)} records/s, samples {Rate(r.SamplesPerSecond)}/s, major faults {Rate(r.MajorFaultsPerSecond)}/s"));
        if (r.Group is { } g)
        {
            output.WriteLine(string.Create(i,
                $"  group{(r.Exited ? " (after the gateway's exit)" : " (at the window's end)")}: usage {g.Usage / 1048576.0:F1} MiB, max_usage {(g.MaxUsage >= 0 ? $"{g.MaxUsage / 1048576.0:F1} MiB" : "n/a")}, failcnt {g.Failures}, oom_kill {r.OomKills}; memory.stat anon {g.Anon / 1048576.0:F1} MiB, file {g.File / 1048576.0:F1} MiB (mapped {g.MappedFile / 1048576.0:F1})"));
        }

        if (r.Mappings.Count > 0)
        {
            output.WriteLine("  biggest mappings: " + string.Join(", ", r.Mappings.Select(m => string.Create(i, $"{m.Name} {m.Kb / 1024.0:F1} MiB"))));
        }
    }

    /// <summary>
    /// The window's edge: /metrics read (tried for up to 30 s while it does not answer), timed at the middle of the
    /// request that answered, and the process's major faults.
    /// </summary>
    private static (TimeSpan At, double Published, double Samples, long Faults)? Edge(HttpClient http, int port, Process gateway, Stopwatch clock)
    {
        var deadline = clock.Elapsed + TimeSpan.FromSeconds(30);
        while (!gateway.HasExited && clock.Elapsed < deadline)
        {
            var asked = clock.Elapsed;
            if (Counters(http, port) is { } counters)
            {
                try
                {
                    return ((asked + clock.Elapsed) / 2, counters.Published, counters.Samples, MemoryFiles.MajorFaults(File.ReadAllText($"/proc/{gateway.Id}/stat")));
                }
                catch (IOException)
                {
                    return null;
                }
            }

            Thread.Sleep(50);
        }

        return null;
    }

    /// <summary>Polls <paramref name="until"/> every 100 ms up to <paramref name="at"/> on the run's clock; whether it came true.</summary>
    private static bool WaitUntil(Stopwatch clock, TimeSpan at, Func<bool> until)
    {
        while (clock.Elapsed < at)
        {
            if (until())
            {
                return true;
            }

            Thread.Sleep(TimeSpan.FromMilliseconds(Math.Min(100, Math.Max(1, (at - clock.Elapsed).TotalMilliseconds))));
        }

        return until();
    }

    private static string Evict(HashSet<string> files)
    {
        var present = files.Where(File.Exists).Order(StringComparer.Ordinal).ToList();
        var before = PageCache.Resident(present);
        var failed = PageCache.Evict(present);
        var after = PageCache.Resident(present);
        if (before is null || after is null)
        {
            return $"{present.Count} files evicted (posix_fadvise DONTNEED), {failed.Count} failed; fincore is not installed: residency not shown";
        }

        var kept = after.Where(f => f.Resident > 0).OrderByDescending(f => f.Resident).Take(4)
            .Select(f => string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(f.File)} {f.Resident / 1048576.0:F1}"));
        return string.Create(CultureInfo.InvariantCulture,
            $"{present.Count} files evicted, {failed.Count} failed{(failed.Count > 0 ? $" ({failed[0]})" : "")}; resident {before.Sum(f => f.Resident) / 1048576.0:F1} -> {after.Sum(f => f.Resident) / 1048576.0:F1} MiB (fincore){(after.Any(f => f.Resident > 0) ? "; still resident (mapped elsewhere): " + string.Join(", ", kept) : "")}");
    }

    /// <summary>What is mapped at start before any run has shown it: the gateway's files and, for the dotnet host, the shared frameworks.</summary>
    private static IEnumerable<string> StartFiles(string dll, bool host)
    {
        var files = Directory.EnumerateFiles(Path.GetDirectoryName(Path.GetFullPath(dll))!).Append(Path.GetFullPath(dll));
        if (host && HostDirectory() is { } dotnet)
        {
            files = files.Concat(new[] { "host", "shared" }.Select(d => Path.Combine(dotnet, d)).Where(Directory.Exists).SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories)));
        }

        // Assemblies, shared libraries and extensionless executables: what the loader maps.
        return files.Select(Path.GetFullPath).Where(f => Path.GetFileName(f) is var name && (name.EndsWith(".dll", StringComparison.Ordinal) || name.Contains(".so", StringComparison.Ordinal) || !name.Contains('.', StringComparison.Ordinal)));
    }

    /// <summary>
    /// The directory of the <c>dotnet</c> the gateway is started with (the first on PATH, links resolved). Put a
    /// copy of the runtime first on PATH to measure the JIT build on files no other process maps, as on a box
    /// where the gateway is the only .NET process: this bench's own runtime pins the pages of the one it runs on.
    /// </summary>
    private static string? HostDirectory()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, "dotnet");
            if (File.Exists(candidate))
            {
                return Path.GetDirectoryName(File.ResolveLinkTarget(candidate, returnFinalTarget: true)?.FullName ?? candidate);
            }
        }

        return null;
    }

    /// <summary>
    /// The first <c>dotnet</c> on PATH, by its full path: given a bare name, Process.Start looks in this bench's own
    /// runtime directory before PATH, so the reference run would start on another runtime than the limited one.
    /// </summary>
    private static string Dotnet() => HostDirectory() is { } dir ? Path.Combine(dir, "dotnet") : "dotnet";

    /// <summary>Regular files the process maps (from /proc/PID/maps), to evict before the next run.</summary>
    private static IEnumerable<string> MappedFiles(Process gateway)
    {
        try
        {
            return [.. File.ReadLines($"/proc/{gateway.Id}/maps")
                .Select(line => line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries))
                .Where(f => f.Length == 6 && f[5].StartsWith('/') && !f[5].StartsWith("/dev/", StringComparison.Ordinal) && !f[5].EndsWith("(deleted)", StringComparison.Ordinal))
                .Select(f => f[5].Trim())
                .Distinct()];
        }
        catch (IOException)
        {
            return [];
        }
    }

    /// <summary>What the GC derives from a group of <paramref name="limit"/> bytes: a probe process run in such a group.</summary>
    private static string GcLimit(long limit)
    {
        try
        {
            using var group = MemoryCgroup.Create($"edgetwin-footprint-{Environment.ProcessId}-probe", limit);
            var start = group.Wrap(Dotnet(), [typeof(FootprintRun).Assembly.Location, "gc-limit-probe"]);
            (start.RedirectStandardOutput, start.RedirectStandardError) = (true, true);
            using var probe = Process.Start(start)!;
            var text = probe.StandardOutput.ReadToEnd().Trim();
            probe.WaitForExit();
            return text.Length > 0
                ? $"{text} (a JIT process; NativeAOT's GC is the same code) of a {limit / 1048576.0:F1} MiB limit"
                : $"nothing: the probe exited with {probe.ExitCode}";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return $"nothing: {ex.Message}";
        }
    }

    private static (double Published, double Samples)? Counters(HttpClient http, int port)
    {
        try
        {
            var text = http.GetStringAsync($"http://127.0.0.1:{port}/metrics").GetAwaiter().GetResult();
            double published = 0, samples = 0;
            foreach (Match m in CounterLine().Matches(text))
            {
                var value = double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
                if (m.Groups[1].Value == "edgetwin_uplink_published")
                {
                    published += value;
                }
                else
                {
                    samples += value;
                }
            }

            return (published, samples);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>Resident kilobytes per mapping (file name, or [anon]/[heap]), biggest first.</summary>
    private static IEnumerable<(string Name, long Kb)> Mappings(int pid)
    {
        var sums = new Dictionary<string, long>();
        var current = "[anon]";
        foreach (var line in File.ReadLines($"/proc/{pid}/smaps"))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length > 0 && parts[0].Contains('-', StringComparison.Ordinal) && !parts[0].EndsWith(':'))
            {
                current = parts.Length > 5 ? Path.GetFileName(parts[5]) : "[anon]";
            }
            else if (parts is ["Rss:", var kb, ..])
            {
                sums[current] = sums.GetValueOrDefault(current) + long.Parse(kb, CultureInfo.InvariantCulture);
            }
        }

        return sums.OrderByDescending(s => s.Value).Select(s => (s.Key, s.Value));
    }

    private static string Rate(double? perSecond) => perSecond is { } v ? v.ToString("F1", CultureInfo.InvariantCulture) : "n/a";

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EdgeTwin.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("EdgeTwin.sln not found above the benchmark");
    }

    [GeneratedRegex(@"^(edgetwin_uplink_published|edgetwin_pipeline_samples)(?:_total)?(?:\{[^}]*\})? ([0-9.eE+]+)$", RegexOptions.Multiline)]
    private static partial Regex CounterLine();

    private static int s_groups;
}
