namespace EdgeTwin.Integration.Tests.Gateway;

using System.Globalization;
using System.Text.RegularExpressions;
using EdgeTwin.Integration.Tests.Support;

/// <summary><c>/metrics</c> of a gateway process, read by the rules of the Prometheus text format (<see cref="PrometheusScrape"/>).</summary>
public class MetricsTests
{
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

        await Wait.UntilAsync(async () => (first = await PrometheusScrape.ScrapeAsync(http)) is not null || process.HasExited, TimeSpan.FromSeconds(30), () => "the first scrape\n" + process.Stderr);
        Assert.NotNull(first);
        Assert.Equal(0, first["edgetwin_alarms_active{priority=\"high\"}"]);
        Assert.Equal(0, first.GetValueOrDefault("edgetwin_alarms_raised{priority=\"high\"}"));
        Assert.True(first["edgetwin_pipeline_samples"] > 0);

        await Wait.UntilAsync(
            async () => (raised = await PrometheusScrape.ScrapeAsync(http)) is { } m && m.GetValueOrDefault("edgetwin_alarms_raised{priority=\"high\"}") >= 1 || process.HasExited,
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
            async () => (scrape = await PrometheusScrape.ScrapeAsync(http)) is { } m && m.GetValueOrDefault("edgetwin_uplink_live_latency_seconds_count") >= 20
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
}
