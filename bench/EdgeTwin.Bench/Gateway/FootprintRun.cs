namespace EdgeTwin.Bench.Gateway;

using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

/// <summary>
/// <c>gateway-footprint</c> (issue 15): the built gateway as its own process (Release, the dotnet host),
/// N simulated beds, the ONNX model loaded, publishing to a real mosquitto on loopback. Reports the
/// time from process start to the first record the broker acknowledged (PUBACK, from /metrics), RSS
/// after the given seconds and its peak (VmHWM), and the five biggest mappings (/proc/PID/smaps).
/// Runtime settings come from the environment (e.g. <c>DOTNET_gcServer=1</c> to compare GC modes).
/// <c>--exe PATH</c> measures another build of the gateway the same way: a published .dll (run by the
/// dotnet host) or a native executable (a NativeAOT publish), e.g. to compare ahead-of-time builds.
/// </summary>
internal static partial class FootprintRun
{
    public static int Run(int beds, int seconds, string? exe, TextWriter output)
    {
        var dll = exe ?? Path.Combine(RepositoryRoot(), "src", "Gateway", "bin", "Release", "net10.0", "EdgeTwin.Gateway.dll");
        if (!File.Exists(dll))
        {
            output.WriteLine(exe is null
                ? $"gateway-footprint: {dll} is missing: dotnet build src/Gateway -c Release first"
                : $"gateway-footprint: --exe {exe}: no such file");
            return 2;
        }

        var host = dll.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);

        return GatewayLoadRun.WithMosquitto((dir, port) =>
        {
            var status = GatewayLoadRun.FreePort();
            var args = GatewayLoadRun.Args(dir, port, beds).Select(a => a.StartsWith("--Status:Url=", StringComparison.Ordinal) ? $"--Status:Url=http://127.0.0.1:{status}" : a);
            var clock = Stopwatch.StartNew();
            var start = host ? new ProcessStartInfo("dotnet", [dll, .. args]) : new ProcessStartInfo(dll, args);
            (start.RedirectStandardOutput, start.RedirectStandardError) = (true, true);
            using var gateway = Process.Start(start)!;
            gateway.OutputDataReceived += (_, _) => { };
            gateway.ErrorDataReceived += (_, _) => { };
            gateway.BeginOutputReadLine();
            gateway.BeginErrorReadLine();
            try
            {
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
                TimeSpan? firstPublish = null;
                while (firstPublish is null && clock.Elapsed < TimeSpan.FromSeconds(60) && !gateway.HasExited)
                {
                    if (Published(http, status) > 0)
                    {
                        firstPublish = clock.Elapsed;
                    }
                    else
                    {
                        Thread.Sleep(10);
                    }
                }

                Thread.Sleep(TimeSpan.FromSeconds(seconds) - clock.Elapsed is { } left && left > TimeSpan.Zero ? left : TimeSpan.Zero);
                var (rss, hwm) = Rss(gateway.Id);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"gateway-footprint {(exe is null ? "" : $"exe={exe} ")}beds={beds} first-publish={(firstPublish is { } f ? $"{f.TotalSeconds:F2} s" : "none within 60 s")} rss@{seconds}s={rss / 1024.0:F1} MiB peak={hwm / 1024.0:F1} MiB gcServer={Environment.GetEnvironmentVariable("DOTNET_gcServer") ?? "(runtimeconfig)"}"));
                output.WriteLine("  biggest mappings: " + string.Join(", ", Mappings(gateway.Id).Take(5).Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Name} {m.Kb / 1024.0:F1} MiB"))));
                return firstPublish is null ? 1 : 0;
            }
            finally
            {
                gateway.Kill(entireProcessTree: true);
                gateway.WaitForExit();
            }
        });
    }

    private static double Published(HttpClient http, int port)
    {
        try
        {
            var text = http.GetStringAsync($"http://127.0.0.1:{port}/metrics").GetAwaiter().GetResult();
            return PublishedLine().Matches(text).Sum(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return 0;
        }
    }

    private static (long RssKb, long PeakKb) Rss(int pid)
    {
        long rss = 0, hwm = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                hwm = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
        }

        return (rss, hwm);
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

    [GeneratedRegex(@"^edgetwin_uplink_published(?:\{[^}]*\})? ([0-9.eE+]+)$", RegexOptions.Multiline)]
    private static partial Regex PublishedLine();
}
