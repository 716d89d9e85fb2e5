namespace EdgeTwin.Ingest.Tests.Processing;

using EdgeTwin.Ingest.Alerts;
using EdgeTwin.Ingest.Options;
using EdgeTwin.Ingest.Processing;
using EdgeTwin.Ingest.Storage.Postgres;
using EdgeTwin.Ingest.Tests.Integration;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Telemetry.Records;
using Microsoft.Extensions.Time.Testing;
using static ProcessorHarness;

/// <summary>
/// Issue 13: what Ingest:Retention means for a gateway that re-sends records whose stored copies
/// retention dropped: they are not stored again as new, raise no fork alert, and the chain goes on
/// verifying what comes after them.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class RetentionResendTests(PostgresFixture pg)
{
    [Fact]
    public async Task RecordsReSentAfterRetentionDroppedThem_AreNotStoredAgain_NoForkAlert_TheChainGoesOnVerifying()
    {
        using var g = new SimulatedGateway("ward7", "bed-50", T0);
        var options = new IngestOptions { Retention = TimeSpan.FromDays(2) };
        options.Enrolled[g.Gw] = g.Key.Address;
        var connection = await pg.CreateDatabaseAsync();
        var time = new FakeTimeProvider(T0);
        await using var store = new PostgresIngestStore(connection, time, partitioned: true);
        await store.InitializeAsync(default);
        var first = new BatchProcessor(store, new FixedOptionsMonitor<IngestOptions>(options), time);
        g.ProduceObs(100, T0);
        g.Seal(T0);
        var sent = g.All.Where(r => r.Lane == Lane.Telemetry).ToList();
        await first.ProcessAsync([.. sent.Select(r => Message(g, r))], default);

        // The next day verifies the first day's last checkpoint; its own last one waits for the next.
        time.Advance(TimeSpan.FromDays(1));
        var nextDay = g.ProduceObs(10, time.GetUtcNow()).Concat(g.Seal(time.GetUtcNow())).Where(r => r.Lane == Lane.Telemetry).ToList();
        await first.ProcessAsync([.. nextDay.Select(r => Message(g, r))], default);
        Assert.Equal(nextDay[^1].Seq - 1, (await store.ChainsAsync(g.Gw, default)).Single(c => c.Id.Lane == "telemetry").VerifiedThrough);

        time.Advance(TimeSpan.FromDays(4));
        var round = await store.MaintainAsync(time.GetUtcNow(), options.Retention, default);
        Assert.Contains(PostgresRecordPartitions.DayName(T0), round.Dropped.Select(d => d.Name));
        Assert.Equal([PostgresRecordPartitions.DayName(T0.AddDays(1))], round.KeptUnverified);
        Assert.Equal(nextDay.Count, await store.RecordCountAsync(default));

        // Another worker (or this one restarted): its verifier remembers only the last links.
        var second = new BatchProcessor(store, new FixedOptionsMonitor<IngestOptions>(options), time);
        var old = sent.Where(r => r.Seq is 1 or 2).ToList();
        var resent = await second.ProcessAsync([.. old.Select(r => Message(g, r))], default);
        var evidenceBefore = (await store.EvidenceAsync(100, default)).Count;
        var more = g.ProduceObs(20, time.GetUtcNow()).Concat(g.Seal(time.GetUtcNow())).Where(r => r.Lane == Lane.Telemetry).ToList();
        var after = await second.ProcessAsync([.. more.Select(r => Message(g, r))], default);

        Assert.Equal((0, 2), (resent.Stored, resent.Evidence));
        var evidence = await store.EvidenceAsync(100, default);
        Assert.Equal(2, evidenceBefore);
        Assert.All(evidence, e => Assert.StartsWith(GatewayBatch.ExpiredProblem + ":", e.Problem, StringComparison.Ordinal));
        Assert.DoesNotContain(await store.AlertsAsync(0, 1000, default), a => a.Kind == AlertKind.Fork);
        Assert.Equal(more.Count, after.Stored);
        Assert.Equal(nextDay.Count + more.Count, await store.RecordCountAsync(default));
        var chain = (await store.ChainsAsync(g.Gw, default)).Single(c => c.Id.Lane == "telemetry");
        Assert.Equal((more[^1].Seq - 1, 0L, 0L), (chain.VerifiedThrough, chain.Forks, chain.Missing));
    }
}
