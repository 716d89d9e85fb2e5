namespace EdgeTwin.Ingest.Tests.Access;

using System.Net;
using EdgeTwin.Ingest.Access;
using EdgeTwin.Ingest.Metrics;
using EdgeTwin.Ingest.Tests.Integration;
using EdgeTwin.Ingest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

/// <summary>
/// Anyone can reach the ingest's port: a flood of refused requests (token guessing, a stale token in a
/// script) is counted to the last request, but the journal gets one line per reason (401) or caller
/// (403) and 10 s, the next line saying how many were held back. Against the real ingest host.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class RefusalLogTests(MosquittoFixture broker)
{
    [Fact]
    public async Task AFloodOfRefusedRequests_IsCountedToTheLast_LoggedOncePerReasonOrCallerIn10s_TheNextLineSaysHowManyWereHeldBack()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var log = new EventLog();
        await using var ingest = await InProcessIngest.StartAsync(broker.Uri, [], services =>
        {
            services.AddLogging(b => b.AddProvider(log));
            services.AddSingleton(new RefusalLogThrottle(time)); // the window's clock, moved by the test
        });
        using var refused = new MetricCollector<long>(ingest.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), IngestMetrics.MeterName, "edgetwin.ingest.http.refused");
        using var http = new HttpClient { BaseAddress = ingest.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(20) };
        var operatorToken = IngestTokens.Mint(ingest.Services.GetRequiredService<TokenSigningKey>().Key, [IngestPolicies.Operator]);
        var forged = IngestTokens.Mint(new byte[32], [IngestPolicies.Clinician]);

        for (var i = 0; i < 30; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(http, "/api/chains", null));
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(http, "/api/chains", forged));
            Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(http, "/api/ward", operatorToken)); // the ward is the clinicians'
        }

        var counts = refused.GetMeasurementSnapshot().GroupBy(m => (string)m.Tags["outcome"]!).ToDictionary(x => x.Key, x => x.Sum(m => m.Value));
        Assert.Equal((60L, 30L), (counts.GetValueOrDefault("unauthenticated"), counts.GetValueOrDefault("forbidden")));
        var unauthenticated = log.Said(7300);
        Assert.Equal(2, unauthenticated.Count);                              // one per reason
        Assert.Single(unauthenticated, l => l.Contains("(no token; 0 more held back", StringComparison.Ordinal));
        Assert.Single(log.Said(7301));                                       // one for the caller
        Assert.Contains("0 more held back", log.Said(7301)[0], StringComparison.Ordinal);

        time.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(http, "/api/chains", null));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(http, "/api/ward", operatorToken));

        Assert.Equal(3, log.Said(7300).Count);
        Assert.Contains("(no token; 29 more held back since the last line)", log.Said(7300)[2], StringComparison.Ordinal);
        Assert.Equal(2, log.Said(7301).Count);
        Assert.Contains("(29 more held back since the last line)", log.Said(7301)[1], StringComparison.Ordinal);
    }

    private static Task<HttpStatusCode> StatusAsync(HttpClient http, string path, string? token) => AccessControlTests.StatusAsync(http, path, token);
}
