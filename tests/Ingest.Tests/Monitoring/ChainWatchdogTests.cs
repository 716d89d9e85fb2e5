namespace EdgeTwin.Ingest.Tests.Monitoring;

using System.Diagnostics.Metrics;
using System.Reflection;
using System.Runtime.ExceptionServices;
using EdgeTwin.Ingest.Alerts;
using EdgeTwin.Ingest.Metrics;
using EdgeTwin.Ingest.Monitoring;
using EdgeTwin.Ingest.Options;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Ingest.Tests.Processing;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using static EdgeTwin.Ingest.Tests.Processing.ProcessorHarness;

public sealed class ChainWatchdogTests
{
    /// <summary>No checkpoint but those a test makes (<c>Seal</c>).</summary>
    private static readonly CheckpointPolicy CheckpointsByHand = new() { MaxRecords = 10_000, MaxDelay = TimeSpan.FromHours(1) };

    [Fact]
    public async Task MissingSeqs_AlertOnceAfterTheGapTimeout_AndAgainOnlyForANewEpisode()
    {
        using var g = new SimulatedGateway("ward7", "wd-1", T0, policy: CheckpointsByHand);
        await using var h = await CreateAsync(g);
        var (watchdog, alerts) = Watchdog(h);
        var obs = g.ProduceObs(3, T0);
        var checkpoint = TelemetryCheckpoint(g); // seq 4: the gateway vouches that seqs 1-3 were made
        await h.SendAsync(g, [g.All[0], obs[0], obs[2], checkpoint]);

        Assert.Empty(await watchdog.ScanAsync(default));
        h.Time.Advance(h.Options.GapTimeout);
        var raised = await watchdog.ScanAsync(default);
        Assert.Equal(AlertKind.UncoveredGap, Assert.Single(raised, a => a.Kind == AlertKind.UncoveredGap).Kind);
        Assert.DoesNotContain(await watchdog.ScanAsync(default), a => a.Kind == AlertKind.UncoveredGap);

        await h.SendAsync(g, [obs[1]]);
        Assert.Equal(0, (await h.ChainAsync(g, Lane.Telemetry)).Missing);
        Assert.Null((await h.ChainAsync(g, Lane.Telemetry)).MissingSince);
        Assert.Equal(checkpoint.Seq - 1, (await h.ChainAsync(g, Lane.Telemetry)).VerifiedThrough);
        Assert.Equal(1, alerts.Count(AlertKind.UncoveredGap));
    }

    [Fact]
    public async Task AStrangersRecordsFarAheadOfTheChain_MakeNoSeqMissing_AndRaiseNoGapAlert_TheGatewaysCheckpointDoes()
    {
        // Anyone may publish on the broker: records chained on from the gateway's head, with seqs 2-40 left
        // out, and a checkpoint signed by a key of its own. Nothing the gateway signed says seqs 2-40 exist:
        // the chain shows no gap and no one is alerted. A seq the gateway's own checkpoint vouches for still is.
        using var g = new SimulatedGateway("ward7", "wd-ahead", T0, policy: CheckpointsByHand);
        await using var h = await CreateAsync(g);
        var (watchdog, alerts) = Watchdog(h);
        var obs = g.ProduceObs(1, T0);
        await h.SendAsync(g, [g.All[0], obs[0]]);
        using var stranger = EdgeTwin.Telemetry.Signing.GatewayKey.Generate();
        var w = Strangers(g, obs[0], stranger);
        var ahead = Enumerable.Range(0, 40).Select(i => Obs(w, g, T0, i)).ToList();
        await h.SendAsync(g, [ahead[^1], w.Checkpoint(T0, ClockQuality.Synced)!]);

        var chain = await h.ChainAsync(g, Lane.Telemetry);
        Assert.Equal((4L, 0L), (chain.Received, chain.Missing)); // genesis, seq 1, the stranger's 41 and its checkpoint at 42
        Assert.Null(chain.MissingSince);
        h.Time.Advance(h.Options.GapTimeout);
        Assert.DoesNotContain(await watchdog.ScanAsync(default), a => a.Kind == AlertKind.UncoveredGap);

        // The gateway goes on, loses its seq 2 in transit, and checkpoints at 4: seq 2 is missing, and alerts.
        var mine = g.ProduceObs(2, h.Time.GetUtcNow());
        var checkpoint = TelemetryCheckpoint(g);
        await h.SendAsync(g, [mine[1], checkpoint]);
        chain = await h.ChainAsync(g, Lane.Telemetry);
        Assert.Equal(4L, checkpoint.Seq);
        Assert.Equal(1L, chain.Missing);
        h.Time.Advance(h.Options.GapTimeout);
        Assert.Single(await watchdog.ScanAsync(default), a => a.Kind == AlertKind.UncoveredGap);
        Assert.Equal(1, alerts.Count(AlertKind.UncoveredGap));
    }

    /// <summary>A gateway whose telemetry chain (0 genesis, 1-2 obs, 3 checkpoint: the head) was sent at T0; the clock then a second short of <c>SilentAfter</c>.</summary>
    private static async Task<(SimulatedGateway G, ProcessorHarness H, ChainRecord Head)> SilentSoonAsync(string gw)
    {
        var g = new SimulatedGateway("ward7", gw, T0, policy: CheckpointsByHand);
        var h = await CreateAsync(g);
        g.ProduceObs(2, T0);
        var head = TelemetryCheckpoint(g);
        await h.SendAsync(g, g.All.Where(r => r.Lane == Lane.Telemetry));
        h.Time.Advance(h.Options.SilentAfter - TimeSpan.FromSeconds(1));
        return (g, h, head);
    }

    private static ChainRecord TelemetryCheckpoint(SimulatedGateway g) => Assert.Single(g.Seal(T0), r => r.Lane == Lane.Telemetry);

    /// <summary>A writer of <paramref name="key"/>'s own, chained on from the gateway's <paramref name="after"/>: anyone can publish on the broker.</summary>
    private static ChainWriter Strangers(SimulatedGateway g, ChainRecord after, EdgeTwin.Telemetry.Signing.GatewayKey key) =>
        ChainWriter.Resume(new ChainState(g.Gw, after.Lane, after.Epoch, after.Seq, after.Hash, 0, null), key, new CheckpointPolicy { MaxRecords = 10_000 });

    private static ChainRecord Obs(ChainWriter w, SimulatedGateway g, DateTimeOffset at, double value) =>
        w.AppendObs(new ObsBody(g.Patient, $"{g.Gw}-mon", "loinc:8867-4", "/min", at, 0, [value]), at, ClockQuality.Synced);

    [Fact]
    public async Task AStrangersGapStatementOverTheMissingSeqs_DoesNotHideThem_TheGapStillAlerts()
    {
        // Anyone may publish on the broker: a gap statement over the seq lost in transit, its first prev and
        // last hash copied from the records around it, chained on and signed by a key of its own. No valid
        // checkpoint ever crosses it: it is a claim, and the seq stays missing.
        using var g = new SimulatedGateway("ward7", "wd-claim", T0, policy: CheckpointsByHand);
        await using var h = await CreateAsync(g);
        var (watchdog, alerts) = Watchdog(h);
        var obs = g.ProduceObs(3, T0);
        await h.SendAsync(g, [g.All[0], obs[0], obs[2]]);
        using var stranger = EdgeTwin.Telemetry.Signing.GatewayKey.Generate();
        var w = Strangers(g, obs[2], stranger);
        var claim = w.AppendGap(obs[1].Seq, obs[1].Seq, obs[1].Prev, obs[1].Hash, "quota", T0, ClockQuality.Synced);
        await h.SendAsync(g, [claim, w.Checkpoint(T0, ClockQuality.Synced)!]);
        await h.SendAsync(g, [TelemetryCheckpoint(g)]); // the gateway's own, at the statement's seq: seq 2 was made

        var chain = await h.ChainAsync(g, Lane.Telemetry);
        Assert.Equal((1L, 0L), (chain.Missing, chain.GapCovered));
        h.Time.Advance(h.Options.GapTimeout);
        Assert.Single(await watchdog.ScanAsync(default), a => a.Kind == AlertKind.UncoveredGap);
        Assert.Equal(1, alerts.Count(AlertKind.UncoveredGap));
    }

    [Fact]
    public async Task NoCheckpointForSilentAfter_AlertsOnce_AndRearmsWhenOneArrives()
    {
        using var g = new SimulatedGateway("ward7", "wd-2", T0, policy: new CheckpointPolicy { MaxRecords = 2, MaxDelay = TimeSpan.FromHours(1) });
        await using var h = await CreateAsync(g);
        var (watchdog, alerts) = Watchdog(h);
        g.ProduceObs(2, T0);
        await h.SendAsync(g, g.All.Where(r => r.Lane == Lane.Telemetry));

        h.Time.Advance(h.Options.SilentAfter - TimeSpan.FromSeconds(1));
        Assert.Empty(await watchdog.ScanAsync(default));
        h.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(AlertKind.SilentGateway, Assert.Single(await watchdog.ScanAsync(default)).Kind);
        Assert.Empty(await watchdog.ScanAsync(default));

        await h.SendAsync(g, g.ProduceObs(2, h.Time.GetUtcNow()));
        Assert.Empty(await watchdog.ScanAsync(default));
        h.Time.Advance(h.Options.SilentAfter);
        Assert.Equal(AlertKind.SilentGateway, Assert.Single(await watchdog.ScanAsync(default)).Kind);
        Assert.Equal(2, alerts.Count(AlertKind.SilentGateway));
        Assert.Equal(2, (await h.Store.AlertsAsync(0, 100, default)).Count(a => a.Kind == AlertKind.SilentGateway));
    }

    [Theory]
    [InlineData("checkpoint")]
    [InlineData("epoch")]
    public async Task AStrangersMessage_JustBeforeAStoppedGatewayCountsAsSilent_DoesNotHideItsSilence(string made)
    {
        // The gateway stopped after its checkpoint at seq 3. Anyone may publish on the broker: a record and a
        // checkpoint of a key of its own chained on from seq 3, or an observation of an epoch of its own making
        // (a chain the ingest has not seen before).
        var (g, h, head) = await SilentSoonAsync($"wd-{made}");
        using var gateway = g;
        await using var harness = h;
        var (watchdog, alerts) = Watchdog(h);
        using var stranger = EdgeTwin.Telemetry.Signing.GatewayKey.Generate();
        var now = h.Time.GetUtcNow();
        if (made == "checkpoint")
        {
            var w = Strangers(g, head, stranger);
            await h.SendAsync(g, [Obs(w, g, now, 72), w.Checkpoint(now, ClockQuality.Synced)!]);
            Assert.Equal(T0, (await h.ChainAsync(g, Lane.Telemetry)).LastCheckpointAt); // still the gateway's own
        }
        else
        {
            await h.SendAsync(g, [Obs(Strangers(g, head with { Epoch = new string('e', 32), Seq = 40 }, stranger), g, now, 72)]);
            Assert.Equal(2, (await h.Store.ChainsAsync(g.Gw, default)).Count(c => c.Id.Lane == "telemetry")); // a row of its own
        }

        h.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(AlertKind.SilentGateway, Assert.Single(await watchdog.ScanAsync(default)).Kind);
        Assert.Equal(1, alerts.Count(AlertKind.SilentGateway));
    }

    [Fact]
    public async Task TheGatewaysCheckpoint_HeldBesideAStrangersRecordAtItsSeq_IsItsSignOfLife()
    {
        // A stranger publishes at the seq the gateway's next checkpoint takes, before it: the checkpoint is held
        // beside that record, and still counts as the gateway's sign of life (no silent-gateway alert).
        var (g, h, _) = await SilentSoonAsync("wd-alive");
        using var gateway = g;
        await using var harness = h;
        var (watchdog, alerts) = Watchdog(h);
        var now = h.Time.GetUtcNow();
        var next = g.ProduceObs(2, now); // seqs 4 and 5
        next.Add(TelemetryCheckpoint(g)); // seq 6
        using var stranger = EdgeTwin.Telemetry.Signing.GatewayKey.Generate();
        var w = Strangers(g, next[1], stranger);
        await h.SendAsync(g, [Obs(w, g, now, 30)]);
        await h.SendAsync(g, next);
        var chain = await h.ChainAsync(g, Lane.Telemetry);
        Assert.Equal((now, next[2].Seq - 1), (chain.LastCheckpointAt, chain.VerifiedThrough));

        h.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty(await watchdog.ScanAsync(default));
        Assert.Equal(0, alerts.Count(AlertKind.SilentGateway));
    }

    [Fact]
    public async Task AScanFailingWhileTheStoreIsDown_DoesNotStopTheWatchdog_TheNextTickAlerts()
    {
        using var g = new SimulatedGateway("ward7", "wd-3", T0, policy: new CheckpointPolicy { MaxRecords = 2, MaxDelay = TimeSpan.FromHours(1) });
        await using var h = await CreateAsync(g);
        await h.SendAsync(g, g.ProduceObs(2, T0));
        var store = DownStore.Around(h.Store);
        var (watchdog, alerts) = Watchdog(h, (IIngestStore)store);
        await watchdog.StartAsync(default);
        try
        {
            h.Time.Advance(h.Options.SilentAfter); // the gateway is silent: a scan now alerts
            await TickUntilAsync(h, () => store.Scans >= 2); // two ticks, both failed
            Assert.False(watchdog.ExecuteTask!.IsCompleted, "a failed scan stopped the watchdog");
            Assert.Equal(0, alerts.Count(AlertKind.SilentGateway));

            store.Down = false;
            var failed = store.Scans;
            await TickUntilAsync(h, () => alerts.Count(AlertKind.SilentGateway) == 1);
            Assert.True(store.Scans > failed);
            Assert.False(watchdog.ExecuteTask.IsCompleted);
        }
        finally
        {
            await watchdog.StopAsync(default);
        }
    }

    private static (ChainWatchdog Watchdog, AlertCounter Alerts) Watchdog(ProcessorHarness h, IIngestStore? store = null)
    {
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
        var counter = new AlertCounter();
        var publisher = new AlertPublisher(NullLogger<AlertPublisher>.Instance, new IngestMetrics(meters));
        return (new ChainWatchdog(store ?? h.Store, new FixedOptionsMonitor<IngestOptions>(h.Options), publisher, h.Time, NullLogger<ChainWatchdog>.Instance), counter.Listen());
    }

    /// <summary>
    /// Lets the watchdog's timer tick (one interval of fake time at a time: its loop starts on a
    /// thread of its own, so a tick may come before it waits) until <paramref name="condition"/>.
    /// </summary>
    private static async Task TickUntilAsync(ProcessorHarness h, Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            h.Time.Advance(h.Options.WatchInterval);
            await Task.Delay(20, deadline.Token);
        }
    }

    /// <summary>
    /// The real store, except that listing chains fails while <see cref="Down"/> (as PostgreSQL's
    /// restart fails it), counting the scans that list them.
    /// </summary>
    public class DownStore : DispatchProxy
    {
        private IIngestStore _inner = null!;
        private int _scans;

        public bool Down { get; set; } = true;

        public int Scans => Volatile.Read(ref _scans);

        internal static DownStore Around(IIngestStore inner)
        {
            var proxy = (DownStore)(object)Create<IIngestStore, DownStore>();
            proxy._inner = inner;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod!.Name == nameof(IIngestStore.ChainsAsync))
            {
                Interlocked.Increment(ref _scans);
                if (Down)
                {
                    throw new IOException("the store is down (test)");
                }
            }

            try
            {
                return targetMethod.Invoke(_inner, args);
            }
            catch (TargetInvocationException e)
            {
                ExceptionDispatchInfo.Throw(e.InnerException!);
                throw;
            }
        }
    }

    /// <summary>Reads the <c>edgetwin.ingest.alerts</c> counter, so the metric is asserted, not assumed.</summary>
    private sealed class AlertCounter
    {
        private readonly MeterListener _listener = new();
        private readonly Dictionary<string, long> _counts = [];

        public AlertCounter Listen()
        {
            _listener.InstrumentPublished = (i, l) =>
            {
                if (i.Meter.Name == IngestMetrics.MeterName && i.Name == "edgetwin.ingest.alerts")
                {
                    l.EnableMeasurementEvents(i);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var t in tags)
                {
                    if (t.Key == "kind")
                    {
                        lock (_counts)
                        {
                            _counts[(string)t.Value!] = _counts.GetValueOrDefault((string)t.Value!) + value;
                        }
                    }
                }
            });
            _listener.Start();
            return this;
        }

        public long Count(string kind)
        {
            lock (_counts)
            {
                return _counts.GetValueOrDefault(kind);
            }
        }
    }
}
