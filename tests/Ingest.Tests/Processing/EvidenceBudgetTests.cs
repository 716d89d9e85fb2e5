namespace EdgeTwin.Ingest.Tests.Processing;

using System.Text;
using EdgeTwin.Ingest.Alerts;
using EdgeTwin.Ingest.Metrics;
using EdgeTwin.Ingest.Processing;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using static ProcessorHarness;

/// <summary>
/// Anyone may publish on the broker: what the ingest sets aside is kept as evidence only within a budget per
/// gateway name and per worker (docs/ingest.md "Evidence budget"), the rest counted and alerted, never kept,
/// and the gateway's own records go on being verified.
/// </summary>
public sealed class EvidenceBudgetTests
{
    [Fact]
    public void AGatewaysBucket_KeepsItsBudget_RefusesTheRest_AndRefillsEvenlyOverAMinute()
    {
        var budget = new EvidenceBudget(perGatewayPerMinute: 60, perMinute: 0);

        var first = Enumerable.Range(0, 61).Select(_ => budget.Take("gw-a", T0)).ToList();
        var other = budget.Take("gw-b", T0);
        var afterTenSeconds = Enumerable.Range(0, 11).Select(_ => budget.Take("gw-a", T0.AddSeconds(10))).ToList();
        var afterTwoMinutes = Enumerable.Range(0, 61).Select(_ => budget.Take("gw-a", T0.AddMinutes(2))).ToList();

        Assert.Equal((60, EvidenceBudget.Verdict.OverGateway), (first.Count(v => v == EvidenceBudget.Verdict.Keep), first[^1]));
        Assert.Equal(EvidenceBudget.Verdict.Keep, other);
        Assert.Equal(10, afterTenSeconds.Count(v => v == EvidenceBudget.Verdict.Keep)); // a sixth of a minute: 10 tokens
        Assert.Equal(60, afterTwoMinutes.Count(v => v == EvidenceBudget.Verdict.Keep)); // never more than a minute's worth
    }

    [Fact]
    public void TokensReturned_ByABatchThatRolledBack_AreTakenAgain_NeverBeyondTheBucketsSize()
    {
        var budget = new EvidenceBudget(perGatewayPerMinute: 2, perMinute: 3);

        Assert.Equal(EvidenceBudget.Verdict.Keep, budget.Take("gw-a", T0, out var bucket));
        Assert.Equal("gw-a", bucket);
        budget.Return(bucket);
        budget.Return(bucket); // one more than was taken: the buckets stay at their size
        var again = Enumerable.Range(0, 3).Select(_ => budget.Take("gw-a", T0)).ToList();
        var others = Enumerable.Range(0, 2).Select(_ => budget.Take("gw-b", T0)).ToList();

        Assert.Equal([EvidenceBudget.Verdict.Keep, EvidenceBudget.Verdict.Keep, EvidenceBudget.Verdict.OverGateway], again);
        Assert.Equal([EvidenceBudget.Verdict.Keep, EvidenceBudget.Verdict.OverWorker], others); // the worker's 3 tokens: 2 + 1
    }

    [Fact]
    public void AnAlertMark_TakenBack_IsDueAgain_ButALaterMarkStays()
    {
        var throttle = new AlertThrottle(TimeSpan.FromMinutes(1), 10, "*");

        Assert.True(throttle.Due("chain", T0, out var marked));
        throttle.Forget(marked, T0);
        Assert.True(throttle.Due("chain", T0.AddSeconds(1), out marked));
        throttle.Forget(marked, T0); // a mark made at another time: not this one's to take back
        Assert.False(throttle.Due("chain", T0.AddSeconds(2)));
    }

    [Fact]
    public void TheWorkersBucket_BoundsNamesMadeUpByTheThousand()
    {
        var budget = new EvidenceBudget(perGatewayPerMinute: 5, perMinute: 100);

        var verdicts = Enumerable.Range(0, 1_000).Select(i => budget.Take($"made-up-{i}", T0)).ToList();

        Assert.Equal(100, verdicts.Count(v => v == EvidenceBudget.Verdict.Keep));
        Assert.Equal(900, verdicts.Count(v => v == EvidenceBudget.Verdict.OverWorker));
    }

    [Fact]
    public void NoMoreThanMaxGatewaysNamesAreTracked_BeyondThemTheyShareABucket_AndFullBucketsAreLetGo()
    {
        var budget = new EvidenceBudget(perGatewayPerMinute: 1, perMinute: 0);
        for (var i = 0; i < EvidenceBudget.MaxGateways; i++)
        {
            Assert.Equal(EvidenceBudget.Verdict.Keep, budget.Take($"gw-{i}", T0));
        }

        // Every tracked bucket is empty: a new name shares the one bucket of the names not tracked.
        Assert.Equal(EvidenceBudget.Verdict.Keep, budget.Take("late-1", T0));
        Assert.Equal(EvidenceBudget.Verdict.OverGateway, budget.Take("late-2", T0));
        Assert.Equal(EvidenceBudget.MaxGateways + 1, budget.Tracked);

        // A minute on, every bucket is full again, which is the same as none: they are let go for the new name.
        Assert.Equal(EvidenceBudget.Verdict.Keep, budget.Take("late-3", T0.AddMinutes(1)));
        Assert.True(budget.Tracked <= 3, $"{budget.Tracked} names tracked");
    }

    [Fact]
    public void AFullTableIsScannedForBucketsToLetGo_AtMostOnceASecond()
    {
        // Names made up faster than buckets refill must not cost a scan of every tracked name per message.
        var budget = new EvidenceBudget(perGatewayPerMinute: 120, perMinute: 0); // 2 tokens a second
        for (var i = 0; i < EvidenceBudget.MaxGateways; i++)
        {
            budget.Take($"gw-{i}", T0); // 119 left: full again half a second on
        }

        budget.Take("late-1", T0); // scans: nothing full yet, so the shared bucket
        budget.Take("late-2", T0.AddMilliseconds(600)); // every bucket full now, but the last scan was 0.6 s ago
        var beforeASecond = budget.Tracked;
        budget.Take("late-3", T0.AddSeconds(1));

        Assert.Equal(EvidenceBudget.MaxGateways + 1, beforeASecond);
        Assert.True(budget.Tracked <= 3, $"{budget.Tracked} names tracked");
    }

    [Fact]
    public void AnAlert_IsDueFirstThenAtMostOnceAMinute_PerKey()
    {
        var budget = new EvidenceBudget(1, 1);

        Assert.Equal(
            [true, false, true, true, false, true],
            [budget.Alerts.Due("gw-a", T0), budget.Alerts.Due("gw-a", T0.AddSeconds(59)), budget.Alerts.Due("gw-b", T0), budget.Alerts.Due(EvidenceBudget.Others, T0),
                budget.Alerts.Due(EvidenceBudget.Others, T0.AddSeconds(30)), budget.Alerts.Due("gw-a", T0.AddMinutes(1))]);
    }

    [Fact]
    public void Zero_IsNoBound()
    {
        var budget = new EvidenceBudget(0, 0);

        Assert.All(Enumerable.Range(0, 10_000), i => Assert.Equal(EvidenceBudget.Verdict.Keep, budget.Take($"gw-{i % 3}", T0)));
        Assert.Equal(0, budget.Tracked);
    }

    [Fact]
    public async Task AFloodOnAGatewaysTopic_KeepsItsBudget_CountsTheRest_AlertsOnce_AndTheGatewaysRecordsAreStillVerified()
    {
        using var g = new SimulatedGateway("ward7", "flooded", T0, policy: new CheckpointPolicy { MaxRecords = 10_000, MaxDelay = TimeSpan.FromHours(1) });
        using var stranger = new SimulatedGateway("ward7", "bed-9", T0);
        await using var h = await CreateAsync(g);
        h.Options.EvidencePerGatewayPerMinute = 100;
        await h.RestartAsync(); // the processor takes the budget from the options
        var genuine = new List<ChainRecord> { g.All.Single(r => r.Lane == Lane.Telemetry) };
        genuine.AddRange(g.ProduceObs(5, T0));
        genuine.Add(g.Telemetry.Checkpoint(T0, ClockQuality.Synced)!);
        var noise = Enumerable.Range(0, 250).Select(i => Message(g, genuine[1], Encoding.UTF8.GetBytes($"noise {i}"))).ToList();
        var strangers = stranger.All.Where(r => r.Lane == Lane.Telemetry).Select(r => Message(stranger, r)).ToList();

        var flood = await h.Processor.ProcessAsync([.. noise.Take(150), .. genuine.Take(3).Select(r => Message(g, r)), .. noise.Skip(150), .. strangers], default);
        var rest = await h.SendAsync(g, genuine.Skip(3));
        var fork = await h.Processor.ProcessAsync([Message(g, InsideGapTests.Forge(g, genuine[1]))], default); // a forgery at verified seq 2, over the budget
        h.Time.Advance(TimeSpan.FromSeconds(30));
        var later = await h.Processor.ProcessAsync(noise.Take(60).ToList(), default);

        Assert.Equal(100, flood.EvidenceByProblem["malformed"]);
        Assert.Equal(150, flood.EvidenceDroppedByProblem["malformed"]);
        Assert.Equal(strangers.Count, flood.EvidenceByProblem["not-enrolled"]); // another gateway name: a budget of its own
        Assert.Equal(101, flood.Alerts.Count(a => a.Kind == AlertKind.Rejected)); // one per message kept, one a minute for the rest
        var over = Assert.Single(flood.Alerts, a => a.Kind == AlertKind.EvidenceOverBudget);
        Assert.Contains("Ingest:EvidencePerGatewayPerMinute (100)", over.Detail, StringComparison.Ordinal);
        Assert.Equal((50, 10), (later.EvidenceByProblem["malformed"], later.EvidenceDroppedByProblem["malformed"])); // half a minute refilled half
        Assert.DoesNotContain(later.Alerts, a => a.Kind == AlertKind.EvidenceOverBudget); // at most once a minute
        Assert.Equal(50, later.Alerts.Count(a => a.Kind == AlertKind.Rejected)); // the kept ones only: the minute is not over
        Assert.Equal(100 + strangers.Count + 50, (await h.Store.EvidenceAsync(10_000, default)).Count);
        Assert.Equal(1, (await h.Store.AlertsAsync(0, 10_000, default)).Count(a => a.Kind == AlertKind.EvidenceOverBudget));
        Assert.Equal(5L, (await h.ChainAsync(g, Lane.Telemetry)).VerifiedThrough);
        Assert.Equal(0, rest.Evidence);
        Assert.Equal((1, 2L), (fork.EvidenceDroppedByProblem["fork"], Assert.Single(fork.Alerts, a => a.Kind == AlertKind.Fork).Seq)); // not kept, still a fork alert

        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var dropped = new MetricCollector<long>(factory, IngestMetrics.MeterName, "edgetwin.ingest.evidence.dropped");
        new IngestMetrics(factory).Committed(flood);
        Assert.Equal([("malformed", 150L)], dropped.GetMeasurementSnapshot().Select(m => ((string)m.Tags["problem"]!, m.Value)));
    }
}
