namespace EdgeTwin.Integration.Tests.EndToEnd;

using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using EdgeTwin.Ingest.Tests.Integration;
using EdgeTwin.Integration.Tests.Support;
using EdgeTwin.Outbox;
using Xunit.Abstractions;

/// <summary>
/// Issue 15's harness, short version: the whole system as real processes. The built gateway (seeded
/// simulated beds, receipts on), a real mosquitto, two ingest worker processes in one shared group
/// on one PostgreSQL database. Faults, each bounded: the gateway SIGKILLed and restarted (twice), one
/// ingest worker SIGKILLed mid-run and restarted; then a graceful stop. In a second test: mosquitto
/// restarted; the uplink partitioned (the broker stopped while the gateway chains some 20 s of
/// records); PostgreSQL stopped until a worker failed a batch, then started (this class's own
/// cluster: no other test class uses it); a graceful stop. In a third, the uplink blackholed (the
/// broker SIGSTOPped: nothing refused, nothing answered) for as long as the partition. Exact accounting per fault:
/// the samples the gateway chained (its persisted counts, tagged with the seq they run through)
/// equal the samples in the obs records the ingest stored and verified, seq for seq; no gap, no
/// fork, no row stored twice, one epoch per lane, the chains' genesis key the enrolled one. The
/// gateway's disk filling and its clock jumping: WholeSystemTests.DiskAndClock.cs; its power cut:
/// WholeSystemTests.PowerCut.cs.
/// </summary>
public sealed partial class WholeSystemTests(PostgresFixture pg, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    private static readonly TimeSpan Recover = TimeSpan.FromSeconds(90);
    private static readonly string[] Lanes = ["telemetry", "alarm"];
    private static readonly string[] GatewayArgs = ["--Uplink:ResendAfter=00:00:05", "--Simulation:Beds=4", "--Simulation:Seed=15"];

    /// <summary>Records the gateway chains while the uplink is partitioned (about 35 a second with 4 beds: some 20 s).</summary>
    private const int PartitionRecords = 700;

    [Fact]
    public async Task GatewayKilledTwice_AnIngestWorkerKilled_ThenAGracefulStop_EverySampleChainedIsVerifiedOnce()
    {
        using var rig = new ResendRig();
        var (ledger, worker, second, mark) = await StartSystemAsync(rig);
        await using var closing = ledger;
        try
        {
            var epoch = mark.Epoch;
            var lines = new List<Accounting>();

            for (var kill = 1; kill <= 2; kill++)
            {
                var clock = Stopwatch.StartNew();
                rig.Gateway!.KillHard();
                Assert.True(rig.Gateway.WaitForExit(TimeSpan.FromSeconds(10)), "the gateway dies on SIGKILL");
                rig.Gateway.Dispose();
                rig.StartGateway(GatewayArgs);
                var snapshot = await Wait.ForAsync(() => ChainedAsync(rig), Recover, () => "the restarted gateway's /status\n" + rig.Output());
                await UntilVerifiedAsync(rig, snapshot, () => Output(rig, second));
                lines.Add(await ledger.AccountAsync($"gateway SIGKILL {kill}", mark, snapshot, clock.Elapsed));
                mark = snapshot;
            }

            // The worker must hold a share of the work when it dies: it stored batches since the last fault.
            var stored = StoredBatch().Count(second.Stdout);
            await Wait.UntilAsync(() => Task.FromResult(StoredBatch().Count(second.Stdout) > stored), Recover, () => "the second worker storing batches\n" + Output(rig, second));
            var workerClock = Stopwatch.StartNew();
            second.KillHard();
            Assert.True(second.WaitForExit(TimeSpan.FromSeconds(10)), "the worker dies on SIGKILL");
            var atKill = (await ChainedAsync(rig))!.Value;
            await UntilVerifiedAsync(rig, atKill, () => Output(rig, second));
            lines.Add(await ledger.AccountAsync("ingest worker SIGKILL", mark, atKill, workerClock.Elapsed));
            mark = atKill;
            second.Dispose();
            second = rig.StartIngestWorker(worker);

            // Graceful stop: the gateway checkpoints and publishes what it has; its stopped outbox says what it chained.
            var stopClock = Stopwatch.StartNew();
            var outbox = await StopGatewayAsync(rig);
            var final = Chained(outbox, "telemetry");
            var alarmHead = Chained(outbox, "alarm").ThroughSeq;
            Assert.Equal((epoch, 0L), (final.Epoch, final.FromSeq));
            await UntilStoppedVerifiedAsync(rig, final, () => Output(rig, second));
            lines.Add(await ledger.AccountAsync("graceful stop", mark, final, stopClock.Elapsed));
            lines.Add(await ledger.AccountAsync("whole run", new LaneCounts(epoch, 0, -1, 0, 0), final, null));

            await AssertExactAsync(rig, ledger, lines, epoch, alarmHead, second);
        }
        finally
        {
            second.Dispose();
        }
    }

    [Fact]
    public async Task BrokerRestarted_UplinkPartitioned_PostgresRestarted_EverySampleChainedIsVerifiedOnce()
    {
        using var rig = new ResendRig();
        var (ledger, _, second, start) = await StartSystemAsync(rig);
        await using var closing = ledger;
        try
        {
            List<Accounting> lines = [];
            var mark = start;

            // mosquitto stopped (SIGTERM: it writes its persistence) and started again at once, the gateway and workers running.
            var clock = Stopwatch.StartNew();
            rig.Broker.Stop();
            rig.Broker.Start();
            var snapshot = (await ChainedAsync(rig))!.Value;
            await UntilVerifiedAsync(rig, snapshot, () => Output(rig, second));
            lines.Add(await ledger.AccountAsync("mosquitto restarted", mark, snapshot, clock.Elapsed));
            mark = snapshot;

            // The uplink partitioned: the broker unreachable (stopped: connections refused) while the gateway chains PartitionRecords more records.
            (var line, mark) = await PartitionAsync(rig, ledger, second, mark, "partitioned", rig.Broker.Stop, rig.Broker.Start);
            lines.Add(line);

            // PostgreSQL stopped until a worker failed to store a batch (it retries, acknowledging nothing), then started.
            var failures = StoreFailed().Count(rig.Ingest!.Stderr + rig.Ingest.Stdout) + StoreFailed().Count(second.Stderr + second.Stdout);
            clock = Stopwatch.StartNew();
            await pg.StopAsync();
            try
            {
                await Wait.UntilAsync(
                    () => Task.FromResult(StoreFailed().Count(rig.Ingest!.Stderr + rig.Ingest.Stdout) + StoreFailed().Count(second.Stderr + second.Stdout) > failures),
                    Recover, () => "a worker failing to store a batch\n" + Output(rig, second));
            }
            finally
            {
                await pg.StartAsync();
            }

            snapshot = (await ChainedAsync(rig))!.Value;
            await UntilVerifiedAsync(rig, snapshot, () => Output(rig, second));
            lines.Add(await ledger.AccountAsync("PostgreSQL restarted", mark, snapshot, clock.Elapsed));
            mark = snapshot;

            await StopAndAssertExactAsync(rig, ledger, second, lines, start, mark);
        }
        finally
        {
            second.Dispose();
        }
    }

    [Fact]
    public async Task UplinkBlackholed_BrokerPausedNotRefusing_TheGatewayCountsFailedPublishes_EverySampleChainedIsVerifiedOnce()
    {
        using var rig = new ResendRig();
        var (ledger, _, second, start) = await StartSystemAsync(rig);
        await using var closing = ledger;
        try
        {
            // Packets dropped rather than refused (no netem here: docs/benchmarks.md): the broker SIGSTOPped
            // (Mosquitto.Pause) while the gateway chains PartitionRecords more records, then continued.
            var failed = await rig.MetricAsync("edgetwin_uplink_publish_failures");
            var (line, mark) = await PartitionAsync(rig, ledger, second, start, "blackholed (broker SIGSTOPped)", rig.Broker.Pause, rig.Broker.Continue);
            Assert.True(await rig.MetricAsync("edgetwin_uplink_publish_failures") > failed, "the gateway counts the publishes the hole swallowed (edgetwin_uplink_publish_failures)");
            await StopAndAssertExactAsync(rig, ledger, second, [line], start, mark);
        }
        finally
        {
            second.Dispose();
        }
    }

    /// <summary>
    /// The uplink cut by <paramref name="cut"/> while the gateway chains <see cref="PartitionRecords"/> more
    /// records (none of them may reach the ingest meanwhile), then healed by <paramref name="heal"/>. Returns
    /// the line of the window after <paramref name="mark"/> (recovery from the heal until the ingest verified
    /// what the gateway had chained by then) and the gateway's counts at its end.
    /// </summary>
    private static async Task<(Accounting Line, LaneCounts Mark)> PartitionAsync(
        ResendRig rig, IngestLedger ledger, GatewayProcess second, LaneCounts mark, string what, Action cut, Action heal)
    {
        var down = (await ChainedAsync(rig))!.Value;
        cut();
        var outage = Stopwatch.StartNew();
        TimeSpan partitioned;
        try
        {
            await Wait.UntilAsync(async () => (await ChainedAsync(rig))!.Value.ThroughSeq >= down.ThroughSeq + PartitionRecords, Recover,
                () => $"{PartitionRecords} telemetry records chained with the uplink {what}\n" + Output(rig, second));
            Assert.True(await rig.VerifiedThroughAsync("telemetry", mark.Epoch) < down.ThroughSeq + PartitionRecords, $"nothing crosses an uplink {what}");
            partitioned = outage.Elapsed;
        }
        finally
        {
            heal();
        }

        var clock = Stopwatch.StartNew();
        var snapshot = (await ChainedAsync(rig))!.Value;
        await UntilVerifiedAsync(rig, snapshot, () => Output(rig, second));
        var line = await ledger.AccountAsync(string.Create(CultureInfo.InvariantCulture, $"uplink {what} {partitioned.TotalSeconds:F0} s"), mark, snapshot, clock.Elapsed);
        return (line, snapshot);
    }

    /// <summary>
    /// A fresh database, the ingest (two workers in one shared group on it, the second saying each
    /// batch it stores) and the gateway (started first when it makes its own key: the ingest enrols
    /// the address it generated); waits for the gateway's first commit and 50 telemetry records
    /// verified. Returns the database's ledger, the second worker and its arguments, and the mark
    /// before the first telemetry record (the start of the first fault's window).
    /// </summary>
    private async Task<(IngestLedger Ledger, string[] Worker, GatewayProcess Second, LaneCounts Start)> StartSystemAsync(ResendRig rig, params string[] gatewayExtra)
    {
        var connection = await pg.CreateDatabaseAsync();
        string[] shared = [$"--Ingest:Storage=postgres:{connection}", $"--Ingest:SharedGroup=g{Guid.NewGuid():N}"[..40]];
        string[] worker = [.. shared, "--Logging:LogLevel:EdgeTwin.Ingest.Mqtt=Debug"]; // says each batch it stores
        if (rig.GatewayMakesItsKey)
        {
            rig.StartGateway([.. GatewayArgs, .. gatewayExtra]);
            await rig.AdoptGatewayKeyAsync(Recover);
        }

        rig.StartIngest(shared);
        var second = rig.StartIngestWorker(worker);
        try
        {
            if (!rig.GatewayMakesItsKey)
            {
                rig.StartGateway([.. GatewayArgs, .. gatewayExtra]);
            }

            var epoch = (await Wait.ForAsync(() => ChainedAsync(rig), Recover, () => "the gateway's first commit\n" + rig.Output())).Epoch;
            await Wait.UntilAsync(async () => await rig.VerifiedThroughAsync("telemetry", epoch) >= 50, Recover, () => "50 telemetry records verified\n" + Output(rig, second));
            return (new IngestLedger(connection, "gw-it"), worker, second, new LaneCounts(epoch, 0, -1, 0, 0));
        }
        catch
        {
            second.Dispose();
            throw;
        }
    }

    /// <summary>SIGTERM: the gateway checkpoints, publishes what it has and exits 0; returns <c>edgetwin outbox</c>'s output on its stopped store.</summary>
    private static async Task<string> StopGatewayAsync(ResendRig rig)
    {
        rig.Gateway!.Terminate();
        Assert.True(rig.Gateway.WaitForExit(TimeSpan.FromSeconds(60)), "the gateway stops on SIGTERM");
        Assert.Equal(0, rig.Gateway.ExitCode);
        var (code, outbox, error) = await Tool.RunAsync("outbox", rig.GatewayData);
        Assert.True(code == 0, error);
        return outbox;
    }

    /// <summary>
    /// The end of a run: a graceful stop (<see cref="StopGatewayAsync"/>), its line from
    /// <paramref name="mark"/> and the whole run's from <paramref name="start"/>, then <see cref="AssertExactAsync"/>.
    /// </summary>
    private async Task StopAndAssertExactAsync(ResendRig rig, IngestLedger ledger, GatewayProcess second, List<Accounting> lines, LaneCounts start, LaneCounts mark, bool gaps = false)
    {
        var outbox = await StopGatewayAsync(rig);
        var final = Chained(outbox, "telemetry");
        await UntilStoppedVerifiedAsync(rig, final, () => Output(rig, second));
        lines.Add(await ledger.AccountAsync("graceful stop", mark, final, null));
        lines.Add(await ledger.AccountAsync("whole run", start, final, null));
        await AssertExactAsync(rig, ledger, lines, start.Epoch, Chained(outbox, "alarm").ThroughSeq, second, gaps);
    }

    /// <summary>
    /// Prints the lines and requires each exact: every sample chained verified or, where
    /// <paramref name="gaps"/>, in a record a gap statement names (none otherwise); no seq neither, no
    /// verified record named by a gap as dropped unsent, none stored twice. Then, on both lanes, one
    /// epoch, the enrolled genesis key and clean counters (the telemetry lane's gap-covered counter
    /// equal to the seqs its stored gap statements name).
    /// </summary>
    private async Task AssertExactAsync(ResendRig rig, IngestLedger ledger, List<Accounting> lines, string epoch, long alarmHead, GatewayProcess second, bool gaps = false)
    {
        foreach (var line in lines)
        {
            output.WriteLine(line.ToString());
        }

        Assert.All(lines, line =>
        {
            Assert.True(line.ProducedRecords > 0, $"{line.Fault}: the window holds samples");
            Assert.Equal((0L, 0L, 0L, 0L), (line.Lost, line.Unaccounted, line.StoredYetNamedUnsent, line.StoredTwice));
            if (!gaps)
            {
                Assert.Equal((line.ProducedRecords, line.Produced, 0L), (line.VerifiedRecords, line.Verified, line.GapCoveredRecords));
            }
        });

        var alarmEpoch = (await ledger.EpochsAsync("alarm")).Single();
        await Wait.UntilAsync(async () => await rig.VerifiedThroughAsync("alarm", alarmEpoch) >= alarmHead - 1, Recover, () => "the alarm lane verified\n" + Output(rig, second));
        foreach (var (lane, laneEpoch) in new[] { ("telemetry", epoch), ("alarm", alarmEpoch) })
        {
            Assert.Equal([laneEpoch], await ledger.EpochsAsync(lane)); // a SIGKILL resumes the chain, it never starts another
            Assert.Equal(rig.GatewayAddress, await ledger.GenesisKeyAsync(lane, laneEpoch), StringComparer.OrdinalIgnoreCase); // the enrolled key
            var counters = await ledger.CountersAsync(lane, laneEpoch);
            var named = await ledger.GapCoveredAsync(lane, laneEpoch, 0, long.MaxValue);
            Assert.Equal((0L, 0L, 0L, 0L, named, 0L), (counters["missing"], counters["forks"], counters["bad_sigs"], counters["broken_links"], counters["gap_covered"], counters["unsigned_branch"]));
            Assert.Equal(0L, await ledger.StoredTwiceAsync(lane, laneEpoch));
        }
    }

    /// <summary>The gateway's committed telemetry counts from /status (null while it does not answer or has committed nothing).</summary>
    private static Task<LaneCounts?> ChainedAsync(ResendRig rig) => rig.ChainedAsync();

    /// <summary>The counts of <paramref name="lane"/> in <c>edgetwin outbox</c>'s output.</summary>
    private static LaneCounts Chained(string outbox, string lane)
    {
        var m = Regex.Match(outbox, lane + @": epoch ([0-9a-f]{32}) head seq (\d+);.*; chained seq (\d+)\.\.(\d+): (\d+) obs records, (\d+) samples");
        Assert.True(m.Success, outbox);
        long N(int group) => long.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture);
        Assert.Equal(N(2), N(4)); // counted through the head
        return new LaneCounts(m.Groups[1].Value, N(3), N(4), N(5), N(6));
    }

    /// <summary>Waits until the ingest verified the telemetry chain through <paramref name="counts"/>' seq.</summary>
    private static Task UntilVerifiedAsync(ResendRig rig, LaneCounts counts, Func<string> output) =>
        Wait.UntilAsync(async () => await rig.VerifiedThroughAsync("telemetry", counts.Epoch) >= counts.ThroughSeq, Recover,
            () => $"telemetry verified through {counts.ThroughSeq}\n" + output());

    /// <summary>
    /// Waits until the ingest verified the stopped gateway's telemetry chain through the record before
    /// its head (the last record waits for a successor or checkpoint), nothing missing.
    /// </summary>
    private static Task UntilStoppedVerifiedAsync(ResendRig rig, LaneCounts final, Func<string> output) =>
        Wait.UntilAsync(
            async () => await rig.ChainAsync("telemetry", final.Epoch) is { } c && (long)c["verifiedThrough"]! >= final.ThroughSeq - 1 && (long)c["missing"]! == 0,
            Recover, () => $"telemetry verified through {final.ThroughSeq - 1}, nothing missing\n" + output());

    private static string Output(ResendRig rig, GatewayProcess worker) => $"{rig.Output()}\nsecond worker:\n{worker.Stderr}{worker.Stdout}";

    [GeneratedRegex(@"Batch of \d+: [1-9]\d* stored")]
    private static partial Regex StoredBatch();

    [GeneratedRegex("Storing a batch of \\d+ failed")]
    private static partial Regex StoreFailed();
}
