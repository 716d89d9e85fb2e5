namespace EdgeTwin.Integration.Tests.Gateway;

using System.Globalization;
using System.Text.RegularExpressions;
using EdgeTwin.Integration.Tests.Support;

/// <summary><c>/metrics</c> of a gateway process, read by the rules of the Prometheus text format.</summary>
public partial class MetricsTests
{
    private static readonly HashSet<string> Types = ["counter", "gauge", "histogram", "summary", "untyped"];

    [Fact]
    public async Task Metrics_EveryFamilyHasHelpAndType_AndTheAlarmFiguresCountARaisedAlarm()
    {
        using var mosquitto = new Mosquitto();
        var dir = Directory.CreateTempSubdirectory("edgetwin-it-").FullName;
        var port = Mosquitto.FreePort();
        var args = InProcessGateway.Args(Path.Combine(dir, "data"), mosquitto.Port,
            "--Simulation:Beds=1", "--Simulation:Scenario=acute-hypoxia", "--Simulation:Speed=4", $"--Status:Url=http://127.0.0.1:{port}");
        using var process = GatewayProcess.Start(dir, args);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
        Dictionary<string, double>? first = null, raised = null;

        await Wait.UntilAsync(async () => (first = await ScrapeAsync(http)) is not null || process.HasExited, TimeSpan.FromSeconds(30), () => "the first scrape\n" + process.Stderr);
        Assert.NotNull(first);
        Assert.Equal(0, first["edgetwin_alarms_active{priority=\"high\"}"]);
        Assert.Equal(0, first.GetValueOrDefault("edgetwin_alarms_raised{priority=\"high\"}"));
        Assert.True(first["edgetwin_pipeline_samples"] > 0);

        await Wait.UntilAsync(
            async () => (raised = await ScrapeAsync(http)) is { } m && m.GetValueOrDefault("edgetwin_alarms_raised{priority=\"high\"}") >= 1 || process.HasExited,
            TimeSpan.FromSeconds(60), () => "a high alarm counted on /metrics\n" + process.Stderr);
        Assert.NotNull(raised);
        Assert.True(raised["edgetwin_alarms_active{priority=\"high\"}"] >= 1);
        Assert.Equal(0, raised["edgetwin_alarms_active{priority=\"low\"}"]);

        process.Terminate();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(40)), "graceful stop");
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task Metrics_LatencyHistogramsInSeconds_HaveBucketsFromOneMillisecond_AndLoopbackTimesFallUnderOneSecond()
    {
        using var mosquitto = new Mosquitto();
        var dir = Directory.CreateTempSubdirectory("edgetwin-it-").FullName;
        var port = Mosquitto.FreePort();
        var args = InProcessGateway.Args(Path.Combine(dir, "data"), mosquitto.Port, "--Simulation:Beds=1", $"--Status:Url=http://127.0.0.1:{port}");
        using var process = GatewayProcess.Start(dir, args);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
        Dictionary<string, double>? scrape = null;

        await Wait.UntilAsync(
            async () => (scrape = await ScrapeAsync(http)) is { } m && m.GetValueOrDefault("edgetwin_uplink_live_latency_seconds_count") >= 20
                && m.GetValueOrDefault("edgetwin_outbox_commit_duration_seconds_count") >= 20 || process.HasExited,
            TimeSpan.FromSeconds(60), () => "20 live PUBACKs and 20 commits timed on /metrics\n" + process.Stderr);
        Assert.NotNull(scrape);
        foreach (var family in new[] { "edgetwin_uplink_live_latency_seconds", "edgetwin_outbox_commit_duration_seconds" })
        {
            var bounds = scrape.Keys.Where(k => k.StartsWith(family + "_bucket{", StringComparison.Ordinal))
                .Select(k => Regex.Match(k, "le=\"([^\"]+)\"").Groups[1].Value).Where(le => le != "+Inf")
                .Select(le => double.Parse(le, CultureInfo.InvariantCulture)).Order().ToList();
            Assert.Equal(EdgeTwin.Hosting.LatencyBuckets.Boundaries, bounds);

            // A loopback PUBACK and a commit take milliseconds: with the exporter's default buckets
            // (0, 5, 10, ... "seconds") every one of them sat in the first bucket, and le="1" did not exist.
            Assert.InRange(scrape[family + "_bucket{le=\"1\"}"], 1, scrape[family + "_count"]);
        }

        process.Terminate();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(40)), "graceful stop");
        Directory.Delete(dir, recursive: true);
    }

    /// <summary>
    /// One scrape, checked line by line: every sample belongs to a family declared by <c># HELP</c> and
    /// <c># TYPE</c> before it, once each; values are numbers. Keyed by name and labels (the exporter's
    /// scope label left out); null while the gateway does not answer.
    /// </summary>
    private static async Task<Dictionary<string, double>?> ScrapeAsync(HttpClient http)
    {
        string text;
        try
        {
            text = await http.GetStringAsync("/metrics");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return null;
        }

        var help = new HashSet<string>();
        var type = new Dictionary<string, string>();
        var samples = new Dictionary<string, double>();
        foreach (var line in text.Split('\n').Where(l => l.Length > 0))
        {
            if (Comment().Match(line) is { Success: true } c)
            {
                var family = c.Groups["name"].Value;
                Assert.True(c.Groups["what"].Value == "HELP" ? help.Add(family) : type.TryAdd(family, c.Groups["rest"].Value), $"declared twice: {line}");
                Assert.True(c.Groups["what"].Value == "HELP" || Types.Contains(c.Groups["rest"].Value), $"unknown type: {line}");
                continue;
            }

            var sample = Sample().Match(line);
            Assert.True(sample.Success, $"not a sample line: {line}");
            var name = sample.Groups["name"].Value;
            var owner = type.ContainsKey(name) ? name : Regex.Replace(name, "_(bucket|sum|count)$", string.Empty);
            Assert.True(help.Contains(owner) && type.ContainsKey(owner), $"no HELP and TYPE before {line}");
            var labels = Regex.Replace(sample.Groups["labels"].Value, "otel_scope_name=\"[^\"]*\",?", string.Empty);
            samples[labels is "{}" or "" ? name : $"{name}{labels}"] = double.Parse(sample.Groups["value"].Value, CultureInfo.InvariantCulture);
        }

        Assert.NotEmpty(samples);
        return samples;
    }

    [GeneratedRegex("^# (?<what>HELP|TYPE) (?<name>[a-zA-Z_:][a-zA-Z0-9_:]*) (?<rest>.*)$")]
    private static partial Regex Comment();

    [GeneratedRegex("^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?<labels>\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\",?)*\\})? (?<value>[-+0-9.eE]+|NaN|[+-]Inf)( -?[0-9]+)?$")]
    private static partial Regex Sample();
}
