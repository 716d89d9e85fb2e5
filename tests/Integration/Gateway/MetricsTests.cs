namespace EdgeTwin.Integration.Tests.Gateway;

using System.Globalization;
using System.Text.RegularExpressions;
using EdgeTwin.Gateway.Diagnostics;
using EdgeTwin.Integration.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

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

    /// <summary>
    /// The gateway's own instruments keep <see cref="GatewayMetrics.SeriesPerInstrument"/> tag combinations
    /// apart (not OpenTelemetry's 2,000, which it allocates up front: issue 15's memory); what comes beyond
    /// is still counted, in the overflow series, so the family's total stays whole.
    /// </summary>
    [Fact]
    public async Task Metrics_AGatewayInstrumentGivenMoreCombinationsThanItsLimit_Keeps100Apart_AndCountsTheRestInTheOverflowSeries()
    {
        using var mosquitto = new Mosquitto();
        var dir = Directory.CreateTempSubdirectory("edgetwin-it-").FullName;
        await using var gateway = await InProcessGateway.StartAsync(InProcessGateway.Args(Path.Combine(dir, "data"), mosquitto.Port, "--Simulation:Beds=1"));
        using var http = new HttpClient { BaseAddress = new Uri(gateway.Urls.First()), Timeout = TimeSpan.FromSeconds(5) };
        var metrics = gateway.Services.GetRequiredService<GatewayMetrics>();
        const int Combinations = GatewayMetrics.SeriesPerInstrument + 30;

        for (var i = 0; i < Combinations; i++)
        {
            metrics.Rejected("series-limit-test", $"problem-{i}");
        }

        var scrape = await PrometheusScrape.ScrapeAsync(http);
        Assert.NotNull(scrape);
        var rejected = scrape.Where(s => s.Key.StartsWith("edgetwin_rejected{", StringComparison.Ordinal)).ToList();
        var overflow = Assert.Single(rejected, s => s.Key.Contains("otel_metric_overflow=\"true\"", StringComparison.Ordinal));
        var apart = rejected.Where(s => s.Key != overflow.Key).ToList();
        Assert.Equal(GatewayMetrics.SeriesPerInstrument, apart.Count);
        Assert.All(apart, s => Assert.Equal(1, s.Value));
        Assert.Equal(Combinations - GatewayMetrics.SeriesPerInstrument, overflow.Value);

        await gateway.StopAsync();
        Directory.Delete(dir, recursive: true);
    }
}
