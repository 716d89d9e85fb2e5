namespace EdgeTwin.Ingest.Tests.Monitoring;

using System.Diagnostics.Metrics;
using EdgeTwin.Ingest.Alerts;
using EdgeTwin.Ingest.Metrics;
using EdgeTwin.Ingest.Monitoring;
using EdgeTwin.Ingest.Options;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Ingest.Storage.LiteDb;
using EdgeTwin.Ingest.Storage.Postgres;
using EdgeTwin.Ingest.Tests.Integration;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using static EdgeTwin.Ingest.Tests.Processing.ProcessorHarness;

/// <summary>
/// A chain's first-seen time is the ingest's clock's, on both stores: the watchdog reckons a gateway
/// that never signed a checkpoint as silent from it, and everything else it compares with (checkpoint
/// times, gap episodes, alerts) is stamped by that clock. PostgreSQL's new rows once took the database's
/// <c>now()</c> instead.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ChainFirstSeenTests(PostgresFixture pg)
{
    [Fact]
    public async Task ANewChain_IsFirstSeenAtTheIngestClocksTime_AndSilentFromThere_OnPostgres()
    {
        var connection = await pg.CreateDatabaseAsync();
        await FirstSeenAtTheClockAsync(_ => new PostgresIngestStore(connection));
    }

    [Fact]
    public async Task ANewChain_IsFirstSeenAtTheIngestClocksTime_AndSilentFromThere_OnLiteDb() =>
        await FirstSeenAtTheClockAsync(dir => new LiteDbIngestStore(dir));

    private static async Task FirstSeenAtTheClockAsync(Func<string, IIngestStore> open)
    {
        // No checkpoint for an hour: the chain's only time is when it was first seen.
        using var g = new SimulatedGateway("ward7", "fs-1", T0, policy: new CheckpointPolicy { MaxRecords = 10_000, MaxDelay = TimeSpan.FromHours(1) });
        await using var h = await CreateAsync(open, g);
        h.Time.Advance(TimeSpan.FromMinutes(5));
        var firstSeen = h.Time.GetUtcNow();
        g.ProduceObs(2, T0);
        await h.SendAsync(g, g.All.Where(r => r.Lane == Lane.Telemetry));
        Assert.Equal(firstSeen, (await h.ChainAsync(g, Lane.Telemetry)).FirstSeenAt);

        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
        var publisher = new AlertPublisher(NullLogger<AlertPublisher>.Instance, new IngestMetrics(meters));
        var watchdog = new ChainWatchdog(h.Store, new FixedOptionsMonitor<IngestOptions>(h.Options), publisher, h.Time, NullLogger<ChainWatchdog>.Instance);
        h.Time.Advance(h.Options.SilentAfter - TimeSpan.FromSeconds(1));
        Assert.Empty(await watchdog.ScanAsync(default));
        h.Time.Advance(TimeSpan.FromSeconds(1));
        var silent = Assert.Single(await watchdog.ScanAsync(default));
        Assert.Equal((AlertKind.SilentGateway, $"no checkpoint since {firstSeen:O}"), (silent.Kind, silent.Detail));

        // A later batch of the same chain leaves it where it was.
        await h.SendAsync(g, g.ProduceObs(1, h.Time.GetUtcNow()));
        Assert.Equal(firstSeen, (await h.ChainAsync(g, Lane.Telemetry)).FirstSeenAt);
    }
}
