namespace EdgeTwin.Ingest.Tests.Metrics;

using System.Net;
using EdgeTwin.Ingest.Access;
using EdgeTwin.Ingest.Tests.Integration;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Integration.Tests.Support;
using EdgeTwin.Telemetry.Chain;

/// <summary>
/// <c>GET /metrics</c> of the real ingest host (in this process, LiteDB, a real mosquitto): operator
/// only, the Prometheus text format, and the records the worker committed counted by outcome.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class MetricsEndpointTests(MosquittoFixture broker)
{
    private const string Stored = "edgetwin_ingest_records{outcome=\"stored\"}";
    private const string Duplicate = "edgetwin_ingest_records{outcome=\"duplicate\"}";
    private const string InFlight = "edgetwin_ingest_inflight";
    private const string CacheGateways = "edgetwin_ingest_verifier_cache_gateways";
    private const string CacheEvictions = "edgetwin_ingest_verifier_cache_evictions";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Metrics_NoToken401_Clinician403_OperatorGetsWellFormedText_StoredAndRepeatedRecordsCountedByOutcome_InflightBackToZero_VerifierCacheShown()
    {
        var now = DateTimeOffset.UtcNow;
        using var g = new SimulatedGateway("ward7", "metrics-1", now, policy: new CheckpointPolicy { MaxRecords = 10, MaxDelay = TimeSpan.FromHours(1) });
        await using var ingest = await InProcessIngest.StartAsync(broker.Uri, [$"--Ingest:Enrolled:{g.Gw}={g.Key.Address}"]);
        using var anonymous = new HttpClient { BaseAddress = ingest.Http.BaseAddress, Timeout = Timeout };
        using var clinician = new HttpClient { BaseAddress = ingest.Http.BaseAddress, Timeout = Timeout }.WithToken(IngestTokens.Mint(ingest.Services, IngestPolicies.Clinician));
        using var auditor = new HttpClient { BaseAddress = ingest.Http.BaseAddress, Timeout = Timeout }.WithToken(IngestTokens.Mint(ingest.Services, IngestPolicies.Auditor));
        using var operatorHttp = new HttpClient { BaseAddress = ingest.Http.BaseAddress, Timeout = Timeout }.WithToken(IngestTokens.Mint(ingest.Services, IngestPolicies.Operator));

        // A scraper without a token gets 401 (not the browser's redirect to /signin); another role 403.
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await clinician.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await auditor.GetAsync("/metrics")).StatusCode);
        var first = await operatorHttp.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("text/plain", first.Content.Headers.ContentType?.MediaType);
        var before = PrometheusScrape.Parse(await first.Content.ReadAsStringAsync());
        Assert.Equal(0, before[InFlight]);
        Assert.False(before.ContainsKey(Stored), "nothing stored yet");

        await using var mqtt = await TestMqttClient.ConnectAsync(broker.Port);
        g.ProduceObs(25, now);
        g.ProduceAlarm(now);
        g.Seal(now);
        foreach (var r in g.All)
        {
            await mqtt.PublishAsync(g, r);
        }

        Dictionary<string, double>? scrape = null;
        await InProcessIngest.EventuallyAsync(
            async () => (scrape = await PrometheusScrape.ScrapeAsync(operatorHttp)) is { } m && m.GetValueOrDefault(Stored) >= g.All.Count && m[InFlight] == 0, Timeout,
            () => $"{g.All.Count} records stored and acknowledged on /metrics: {Figures(scrape)}");
        Assert.Equal(g.All.Count, scrape![Stored]);
        Assert.False(scrape.ContainsKey(Duplicate), "no repeat yet");

        // The worker keeps the one gateway's verifier between batches and has let none go.
        Assert.Equal(1, scrape[CacheGateways]);
        Assert.Equal(0, scrape[CacheEvictions]);

        // The same records again: counted as duplicates, not stored twice.
        var repeated = g.All.Take(4).ToList();
        foreach (var r in repeated)
        {
            await mqtt.PublishAsync(g, r);
        }

        await InProcessIngest.EventuallyAsync(
            async () => (scrape = await PrometheusScrape.ScrapeAsync(operatorHttp)) is { } m && m.GetValueOrDefault(Duplicate) >= repeated.Count && m[InFlight] == 0, Timeout,
            () => $"{repeated.Count} repeats counted on /metrics: {Figures(scrape)}");
        Assert.Equal(repeated.Count, scrape![Duplicate]);
        Assert.Equal(g.All.Count, scrape[Stored]);
        Assert.True(scrape.GetValueOrDefault("edgetwin_ingest_receipts") >= 1, "receipts counted");
    }

    private static string Figures(Dictionary<string, double>? scrape) =>
        scrape is null ? "no scrape" : string.Join(", ", scrape.Where(kv => kv.Key.StartsWith("edgetwin_ingest_", StringComparison.Ordinal)).Select(kv => $"{kv.Key}={kv.Value}"));
}
