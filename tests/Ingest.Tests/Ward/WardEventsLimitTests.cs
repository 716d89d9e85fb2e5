namespace EdgeTwin.Ingest.Tests.Ward;

using System.Net;
using EdgeTwin.Ingest.Tests.Integration;
using EdgeTwin.Ingest.Ward;
using Microsoft.Extensions.DependencyInjection;

/// <summary>The live feed of the ward view is bounded: one page more than Ingest:WardMaxSubscribers gets 503, not a connection held open.</summary>
[Collection(PostgresCollection.Name)]
public sealed class WardEventsLimitTests
{
    private readonly MosquittoFixture _broker;

    public WardEventsLimitTests(MosquittoFixture broker) => _broker = broker;

    [Fact]
    public async Task OnePageMoreThanTheLimit_Gets503WithRetryAfter_APlaceFreedIsTakenAgain()
    {
        await using var ingest = await InProcessIngest.StartAsync(_broker.Uri, ["--Ingest:WardMaxSubscribers=1"]);
        var changes = ingest.Services.GetRequiredService<WardChanges>();

        using (var first = await ingest.Http.GetAsync("/api/ward/events", HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            using var second = await ingest.Http.GetAsync("/api/ward/events", HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(30), second.Headers.RetryAfter?.Delta);
            Assert.Contains("Ingest:WardMaxSubscribers", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await InProcessIngest.EventuallyAsync(() => Task.FromResult(changes.Subscribers == 0), TimeSpan.FromSeconds(30), () => "the first page's feed closed");
        using var third = await ingest.Http.GetAsync("/api/ward/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
    }
}
