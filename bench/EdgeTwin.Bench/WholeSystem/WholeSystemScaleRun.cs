namespace EdgeTwin.Bench.WholeSystem;

using System.Diagnostics;
using System.Globalization;
using EdgeTwin.Ingest.Tests.Integration;
using EdgeTwin.Integration.Tests.Support;

/// <summary>
/// <c>whole-system-scale</c> (issue 15): the integration tests' real-process harness (<see cref="ResendRig"/>:
/// the built Release gateway with receipts on, a real mosquitto, the built ingest; <see cref="PostgresFixture"/>;
/// <see cref="IngestLedger"/>) run for longer and with more beds. Two ingest worker processes in one
/// shared-subscription group on a scratch PostgreSQL cluster. Per step (a bed count): the gateway
/// started with that many beds, 5 s of warm-up, a fixed window, then the wait until the ingest has
/// verified what the gateway had chained at the window's end (at most 120 s), then a graceful stop;
/// the chain goes on from step to step. Then the fault both sides are compared on (the uplink down,
/// the box's process killed) for EdgeTwin, and <see cref="BridgePeer"/> for the peer.
/// </summary>
internal static class WholeSystemScaleRun
{
    private static readonly TimeSpan Cap = TimeSpan.FromSeconds(120);

    public static async Task<int> RunAsync(IReadOnlyList<(int Beds, int? InFlight)> beds, IReadOnlyList<(int Beds, int? InFlight)> alone, int seconds, IReadOnlyList<int> peerBeds, int faultBeds, int faultSeconds, TextWriter output)
    {
        foreach (var dll in new[] { GatewayProcess.GatewayDll, GatewayProcess.IngestDll })
        {
            if (!File.Exists(dll) || !dll.Contains("/Release/", StringComparison.Ordinal))
            {
                output.WriteLine($"whole-system-scale: {dll} is missing: dotnet build bench/EdgeTwin.Bench -c Release first");
                return 2;
            }
        }

        static string Steps(IReadOnlyList<(int Beds, int? InFlight)> steps) => string.Join(',', steps.Select(b => b.InFlight is { } f ? $"{b.Beds}/{f}" : $"{b.Beds}"));
        output.WriteLine($"whole-system-scale beds={Steps(beds)} alone-beds={Steps(alone)} seconds={seconds} peer-beds={string.Join(',', peerBeds)} fault-beds={faultBeds} fault-seconds={faultSeconds}");
        output.WriteLine($"{Environment.ProcessorCount} cores; before: {Uptime()}");
        var pg = new PostgresFixture();
        await pg.InitializeAsync().ConfigureAwait(false);
        try
        {
            await EdgeTwinAsync(pg, beds, alone, seconds, faultBeds, faultSeconds, output).ConfigureAwait(false);
        }
        finally
        {
            await pg.DisposeAsync().ConfigureAwait(false);
        }

        await PeerAsync(peerBeds, seconds, faultBeds, faultSeconds, output).ConfigureAwait(false);
        output.WriteLine($"after: {Uptime()}");
        return 0;
    }

    private static async Task EdgeTwinAsync(PostgresFixture pg, IReadOnlyList<(int Beds, int? InFlight)> beds, IReadOnlyList<(int Beds, int? InFlight)> alone, int seconds, int faultBeds, int faultSeconds, TextWriter output)
    {
        using var rig = new ResendRig();
        var connection = await pg.CreateDatabaseAsync().ConfigureAwait(false);

        // Lasting sessions (a client id each, a session expiry): while both workers are stopped for an
        // "alone" step the broker queues their share of the records, and they take it when they start again.
        string[] shared = [$"--Ingest:Storage=postgres:{connection}", $"--Ingest:SharedGroup=g{Guid.NewGuid():N}"[..40], "--Ingest:SessionExpiry=01:00:00"];
        string[] ingest1 = [.. shared, "--Ingest:ClientId=bench-ingest-1"], ingest2 = [.. shared, "--Ingest:ClientId=bench-ingest-2"];
        rig.StartIngest(ingest1);
        var worker = rig.StartIngestWorker(ingest2);
        await using var tap = await RecordTap.StartAsync(rig.Broker.Port, rig.Topic("telemetry")).ConfigureAwait(false);
        var postmaster = int.Parse(File.ReadLines(Path.Combine(pg.DataDir, "postmaster.pid")).First(), CultureInfo.InvariantCulture);
        VerifiedWatch? watch = null;
        await using var ledger = new IngestLedger(connection, "gw-it");
        try
        {
            // The fault first, on a system without a backlog from a heavy step.
            watch = await EdgeTwinFaultAsync(rig, connection, ledger, faultBeds, faultSeconds, output).ConfigureAwait(false);
            if (alone.Count > 0)
            {
                output.WriteLine(AloneRow.Header);
                foreach (var (n, inFlight) in alone)
                {
                    worker = await AloneAsync(rig, worker, ingest1, ingest2, postmaster, watch, tap, n, inFlight, seconds, output).ConfigureAwait(false);
                }
            }

            output.WriteLine(ScaleRow.Header);
            List<string> notes = [];
            foreach (var (n, inFlight) in beds)
            {
                rig.StartGateway([$"--Simulation:Beds={n}", "--Simulation:Seed=15", .. inFlight is { } f ? [$"--Uplink:MaxInFlight={f}"] : Array.Empty<string>()]);
                var first = await Wait.ForAsync(() => rig.ChainedAsync(), Cap, () => "the gateway's first commit\n" + rig.Output()).ConfigureAwait(false);
                await Task.Delay(TimeSpan.FromSeconds(5)).ConfigureAwait(false); // warm-up: JIT, connections
                var threads = ProcStat.Threads(rig.Gateway!.Id);
                var before = await ReadAsync(rig, worker, postmaster, watch).ConfigureAwait(false);
                await Task.Delay(TimeSpan.FromSeconds(seconds)).ConfigureAwait(false);
                var after = await ReadAsync(rig, worker, postmaster, watch).ConfigureAwait(false);
                var rss = ProcStat.RssMiB(rig.Gateway.Id);
                var busiest = Busiest(threads, ProcStat.Threads(rig.Gateway.Id), (after.AtMs - before.AtMs) / 1000.0);
                var lagClock = Stopwatch.StartNew();
                var caughtUp = await UntilAsync(() => watch.Through >= after.ChainedThrough, Cap).ConfigureAwait(false);
                var lag = caughtUp ? lagClock.Elapsed : (TimeSpan?)null;

                // The records holding the window's last samples are chained within about a second of it
                // (a record spans at most 1 s, a commit follows within 100 ms): their verification too.
                var tail = (await rig.ChainedAsync().ConfigureAwait(false))!.Value.ThroughSeq;
                await UntilAsync(() => watch.Through >= tail, caughtUp ? Cap : TimeSpan.Zero).ConfigureAwait(false);
                var (_, verified) = await ledger.VerifiedAsync("telemetry", first.Epoch, before.VerifiedThrough + 1, after.VerifiedThrough).ConfigureAwait(false);
                output.WriteLine(Row(n, before, after, rss, lag, verified, tap, watch).ToString() + (inFlight is { } m ? $" (Uplink:MaxInFlight={m})" : string.Empty));
                notes.Add($"{n} beds: the gateway's busiest threads (% of one core): {busiest}");
                StopGateway(rig);
            }

            notes.ForEach(output.WriteLine);
        }
        finally
        {
            worker.Dispose();
            if (watch is not null)
            {
                await watch.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The gateway's side alone: both ingest workers stopped (SIGTERM: they commit and acknowledge what
    /// they have; their lasting sessions keep their share of what follows queued at the broker), the
    /// gateway run with <paramref name="beds"/> beds for the window with the bench's subscriber still
    /// on the broker (re-sending only after 30 min, so that the missing receipts do not add load), then
    /// stopped; then the workers started again: how long they take to verify the window's records with
    /// the box to themselves. Returns the new second worker.
    /// </summary>
    private static async Task<GatewayProcess> AloneAsync(ResendRig rig, GatewayProcess worker, string[] first, string[] second, int postmaster, VerifiedWatch watch, RecordTap tap, int beds, int? inFlight, int seconds, TextWriter output)
    {
        rig.StopIngest();
        worker.Terminate();
        if (!worker.WaitForExit(TimeSpan.FromSeconds(40)))
        {
            throw new TimeoutException("an ingest worker did not stop on SIGTERM within 40 s\n" + worker.Stderr);
        }

        worker.Dispose();
        rig.StartGateway([$"--Simulation:Beds={beds}", "--Simulation:Seed=15", "--Uplink:ResendAfter=00:30:00", .. inFlight is { } f ? [$"--Uplink:MaxInFlight={f}"] : Array.Empty<string>()]);
        await Wait.ForAsync(() => rig.ChainedAsync(), Cap, () => "the gateway's first commit\n" + rig.Output()).ConfigureAwait(false);
        await Task.Delay(TimeSpan.FromSeconds(5)).ConfigureAwait(false); // warm-up: JIT, connections
        var before = await ReadAsync(rig, null, postmaster, watch).ConfigureAwait(false);
        await Task.Delay(TimeSpan.FromSeconds(seconds)).ConfigureAwait(false);
        var after = await ReadAsync(rig, null, postmaster, watch).ConfigureAwait(false);
        var rss = ProcStat.RssMiB(rig.Gateway!.Id);
        var window = TapWindow(tap, before, after);

        // Stop only when the broker has every record of the window and the ones after it up to the
        // checkpoint that covers the last (at most Chain:CheckpointEvery = 256 records later): what the
        // gateway chained but had not published yet stays in its outbox at a stop, and the workers could
        // not verify the window's end without it.
        var through = after.ChainedThrough + 256;
        var published = await UntilAsync(() => Enumerable.Range(0, (int)(through - before.ChainedThrough)).All(i => tap.Find(before.ChainedThrough + 1 + i) is not null), Cap).ConfigureAwait(false);
        if (!published)
        {
            throw new TimeoutException($"the broker did not have telemetry seqs {before.ChainedThrough + 1}..{through} within {Cap.TotalSeconds} s\n" + rig.Output());
        }

        StopGateway(rig);
        var from = watch.Through;
        var postgres = ProcStat.TreeCpuSeconds(postmaster);
        var clock = Stopwatch.StartNew();
        rig.StartIngest(first);
        var restarted = rig.StartIngestWorker(second);
        var caughtUp = await UntilAsync(() => watch.Through >= after.ChainedThrough, TimeSpan.FromMinutes(5)).ConfigureAwait(false);
        var drain = clock.Elapsed.TotalSeconds;
        if (!caughtUp)
        {
            // Say why in the output: what each worker logged (warnings and above) while it did not catch up.
            output.WriteLine($"{beds} beds alone: the workers had verified through {watch.Through} of {after.ChainedThrough} after 5 min; their logs:");
            output.WriteLine(Tail(rig.Ingest!.Stdout + rig.Ingest.Stderr));
            output.WriteLine(Tail(restarted.Stdout + restarted.Stderr));
        }

        var drainCpu = (Ingest: ProcStat.CpuSeconds(rig.Ingest!.Id), Worker: ProcStat.CpuSeconds(restarted.Id), Postgres: ProcStat.TreeCpuSeconds(postmaster) - postgres);

        // The gateway again (16 beds, re-sending after the default 30 s), until no record it holds
        // waits for a receipt any more than live ones do: the next step starts without this one's tail.
        rig.StartGateway("--Simulation:Beds=16", "--Simulation:Seed=15");
        await Wait.ForAsync(() => rig.ChainedAsync(), Cap, () => "the gateway's first commit\n" + rig.Output()).ConfigureAwait(false);
        var settle = Stopwatch.StartNew();
        var settled = await UntilAsync(async () => await rig.MetricAsync("edgetwin_uplink_held", "lane=\"telemetry\"").ConfigureAwait(false) < 1_000 && await rig.MetricAsync("edgetwin_uplink_backlog").ConfigureAwait(false) == 0, Cap).ConfigureAwait(false);
        var resent = await rig.MetricAsync("edgetwin_uplink_resent").ConfigureAwait(false);
        StopGateway(rig);
        output.WriteLine(new AloneRow(beds, inFlight, (after.AtMs - before.AtMs) / 1000.0, before, after, window, rss,
            after.ChainedThrough - from, caughtUp ? drain : null, drainCpu.Ingest / drain, drainCpu.Worker / drain, drainCpu.Postgres / drain,
            settled ? settle.Elapsed.TotalSeconds : null, resent).ToString());
        return restarted;
    }

    /// <summary>
    /// EdgeTwin under the peer's fault: the broker (its uplink) stopped while the gateway runs
    /// <paramref name="beds"/> beds for <paramref name="seconds"/>, the gateway SIGKILLed, the broker
    /// and the gateway started again; the line of the whole-system tests' accounting over the window.
    /// </summary>
    private static async Task<VerifiedWatch> EdgeTwinFaultAsync(ResendRig rig, string connection, IngestLedger ledger, int beds, int seconds, TextWriter output)
    {
        string[] args = [$"--Simulation:Beds={beds}", "--Simulation:Seed=15"];
        rig.StartGateway(args);
        var mark = await Wait.ForAsync(() => rig.ChainedAsync(), Cap, () => "the gateway's first commit\n" + rig.Output()).ConfigureAwait(false);
        var watch = new VerifiedWatch(connection, "gw-it", "telemetry", mark.Epoch);
        await UntilAsync(() => watch.Through >= mark.ThroughSeq, Cap).ConfigureAwait(false);
        mark = (await rig.ChainedAsync().ConfigureAwait(false))!.Value;
        rig.Broker.Stop();
        await Task.Delay(TimeSpan.FromSeconds(seconds)).ConfigureAwait(false);
        var atKill = (await rig.ChainedAsync().ConfigureAwait(false))!.Value;
        rig.Gateway!.KillHard();
        rig.Gateway.WaitForExit(TimeSpan.FromSeconds(10));
        rig.Gateway.Dispose();
        var clock = Stopwatch.StartNew();
        rig.Broker.Start();
        rig.StartGateway(args);
        var recovered = await UntilAsync(() => watch.Through >= atKill.ThroughSeq, Cap).ConfigureAwait(false);
        var line = await ledger.AccountAsync($"EdgeTwin: broker (uplink) down {seconds} s, gateway SIGKILLed, {beds} beds", mark, atKill, recovered ? clock.Elapsed : null).ConfigureAwait(false);
        output.WriteLine(line.ToString());
        rig.Gateway!.Terminate();
        rig.Gateway.WaitForExit(TimeSpan.FromSeconds(90));
        rig.Gateway.Dispose();
        return watch;
    }

    private static async Task PeerAsync(IReadOnlyList<int> beds, int seconds, int faultBeds, int faultSeconds, TextWriter output)
    {
        using var peer = new BridgePeer();
        await peer.StartSubscriberAsync().ConfigureAwait(false);
        output.WriteLine("| beds | nominal samples/s | PUBACKed by the local broker /s | received in the cloud /s | CPU bench (simulator, publisher, subscriber) | local mosquitto | cloud mosquitto | bridge drained after the window | failed publishes |");
        output.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var n in beds)
        {
            output.WriteLine((await peer.ThroughputAsync(n, seconds).ConfigureAwait(false)).ToString());
        }

        output.WriteLine((await peer.LossAsync(faultBeds, faultSeconds).ConfigureAwait(false)).ToString());
    }

    /// <summary>The five threads that used the most CPU between two readings, by name (.NET names its threads, e.g. <c>.NET TP Worker</c>).</summary>
    private static string Busiest(Dictionary<int, (string Name, double Seconds)> before, Dictionary<int, (string Name, double Seconds)> after, double wall) =>
        string.Join(", ", after
            .Select(t => (t.Value.Name, Used: t.Value.Seconds - (before.TryGetValue(t.Key, out var b) ? b.Seconds : 0)))
            .OrderByDescending(t => t.Used).Take(5)
            .Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Name} {100 * t.Used / wall:F0} %")));

    private static ScaleRow Row(int beds, SystemReading before, SystemReading after, double rss, TimeSpan? lag, long verified, RecordTap tap, VerifiedWatch watch)
    {
        var wall = (after.AtMs - before.AtMs) / 1000.0;
        var window = TapWindow(tap, before, after);
        var toVerified = new LatencyHistogram();
        long notVerified = 0;
        foreach (var (seq, record) in tap.All)
        {
            if (record.Samples == 0 || record.FirstSampleMs < before.AtMs || record.FirstSampleMs >= after.AtMs)
            {
                continue;
            }

            if (watch.VerifiedAt(seq) is { } at)
            {
                record.AddLatencies(toVerified, at);
            }
            else
            {
                notVerified += record.Samples;
            }
        }

        return new ScaleRow(beds, wall, (after.Samples - before.Samples) / wall, (after.Published - before.Published) / wall, window.AtBrokerSamples / wall, verified / wall,
            window.Tapped, window.ToBroker, toVerified, notVerified, before, after, rss, lag);
    }

    /// <summary>
    /// What the bench's subscriber on the broker saw of a window: the samples that arrived in it, the
    /// share of the window's chained records it has, and each sample's latency from its own time to its
    /// record's arrival (the samples whose record began in the window).
    /// </summary>
    private static TapReading TapWindow(RecordTap tap, SystemReading before, SystemReading after)
    {
        var toBroker = new LatencyHistogram();
        long atBroker = 0, tapped = 0;
        foreach (var (seq, record) in tap.All)
        {
            atBroker += record.ArrivedMs >= before.AtMs && record.ArrivedMs < after.AtMs ? record.Samples : 0;
            tapped += seq > before.ChainedThrough && seq <= after.ChainedThrough ? 1 : 0;
            if (record.Samples > 0 && record.FirstSampleMs >= before.AtMs && record.FirstSampleMs < after.AtMs)
            {
                record.AddLatencies(toBroker, record.ArrivedMs);
            }
        }

        return new TapReading(atBroker, tapped / (double)Math.Max(1, after.ChainedThrough - before.ChainedThrough), toBroker);
    }

    private static async Task<SystemReading> ReadAsync(ResendRig rig, GatewayProcess? worker, int postmaster, VerifiedWatch watch)
    {
        var chained = (await rig.ChainedAsync().ConfigureAwait(false)) ?? throw new InvalidOperationException("the gateway's /status does not answer\n" + rig.Output());
        return new SystemReading(
            DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            await rig.MetricAsync("edgetwin_pipeline_samples").ConfigureAwait(false),
            await rig.MetricAsync("edgetwin_uplink_published").ConfigureAwait(false),
            await rig.MetricAsync("edgetwin_uplink_backlog").ConfigureAwait(false),
            await rig.MetricAsync("edgetwin_uplink_held", "lane=\"telemetry\"").ConfigureAwait(false),
            chained.ThroughSeq, watch.Through,
            ProcStat.CpuSeconds(rig.Gateway!.Id), ProcStat.CpuSeconds(rig.Broker.Id!.Value), rig.Ingest is { } ingest ? ProcStat.CpuSeconds(ingest.Id) : 0, worker is null ? 0 : ProcStat.CpuSeconds(worker.Id),
            ProcStat.TreeCpuSeconds(postmaster), ProcStat.CpuSeconds(Environment.ProcessId));
    }

    private static async Task<bool> UntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        try
        {
            await Wait.UntilAsync(condition, timeout, "the ingest").ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>As the other, for a condition read over the network (polled every 100 ms).</summary>
    private static async Task<bool> UntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        try
        {
            await Wait.UntilAsync(condition, timeout, () => "the gateway").ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>SIGTERM to the gateway, at most 90 s for it to stop (it commits what it has), then its process is let go.</summary>
    private static void StopGateway(ResendRig rig)
    {
        rig.Gateway!.Terminate();
        if (!rig.Gateway.WaitForExit(TimeSpan.FromSeconds(90)))
        {
            throw new TimeoutException("the gateway did not stop on SIGTERM within 90 s\n" + rig.Output());
        }

        rig.Gateway.Dispose();
    }

    /// <summary>The last 40 lines of a process's log.</summary>
    private static string Tail(string log) => string.Join('\n', log.Split('\n').TakeLast(40));

    private static string Uptime() => File.ReadAllText("/proc/loadavg").Trim();
}
