namespace EdgeTwin.Integration.Tests.EndToEnd;

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EdgeTwin.Integration.Tests.Support;

/// <summary>
/// Issue 15's remaining faults on the same harness: the gateway's disk filling (its data directory on
/// a small real filesystem the test fills while the uplink is down, so that unsent records pile up
/// and go behind signed <c>disk-space</c> gaps; then the room and the uplink come back), and its wall
/// clock jumping back two hours and forward again (libfaketime in the gateway process only; the
/// monotonic clock left alone, as a real clock step leaves it).
/// </summary>
public sealed partial class WholeSystemTests
{
    /// <summary>The gateway's free-space floor on its 8 MB filesystem: 2.5 MB (the smaller of the two).</summary>
    private static readonly string[] DiskFloor = ["--Outbox:MinFreeBytes=2500000", "--Outbox:MinFreePercent=50"];

    /// <summary>Where Debian's <c>faketime</c> package puts the library.</summary>
    private const string LibFaketime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

    /// <summary>How far the clock jumps: two hours, in libfaketime's offset notation (seconds).</summary>
    private const long JumpSeconds = 2 * 3600;

    /// <summary>Obs records evicted (by the gateway's own counter) before the room comes back.</summary>
    private const int EvictedBeforeFreeing = 100;

    [Fact]
    public async Task GatewayDiskFilling_UplinkDown_EvictsBehindDiskSpaceGaps_ThenFreed_EverySampleVerifiedOrNamedByAGap_VerifiedPastTheGaps()
    {
        using var fs = SmallFilesystem.Mount("8m");
        Assert.True(fs.Mounted, fs.Refusal + " (run as root, as CI does)");
        using var rig = new ResendRig(gatewayData: Path.Combine(fs.Path, "gateway"));
        var (ledger, _, second, start) = await StartSystemAsync(rig, [.. DiskFloor, "--Simulation:Beds=8"]); // 8 beds: the backlog reaches the floor in seconds
        await using var closing = ledger;
        try
        {
            List<Accounting> lines = [];

            // The uplink down (the broker stopped) and another process filling the disk to just above the
            // floor (the reserve counts as free): the gateway's own backlog takes it under the floor.
            var clock = Stopwatch.StartNew();
            rig.Broker.Stop();
            var floor = 2_500_000L;
            var reserve = (long)(await rig.StatusAsync())!["storage"]!["reserveBytes"]!;
            var filler = fs.FillLeaving(floor - reserve + (200 * 1024));
            await Wait.UntilAsync(async () => await rig.MetricAsync("edgetwin_outbox_evicted") >= EvictedBeforeFreeing || rig.Gateway!.HasExited, Recover,
                () => $"{EvictedBeforeFreeing} obs records evicted under the floor ({fs.AvailableBytes} bytes free)\n" + Output(rig, second));
            Assert.False(rig.Gateway!.HasExited, rig.Output());
            var status = (await rig.StatusAsync())!;
            Assert.False((bool)status["storage"]!["full"]!, $"the floor keeps the disk from filling: {status}");
            Assert.Contains("under the floor Outbox:MinFreeBytes", rig.Gateway.Stdout, StringComparison.Ordinal);
            var filling = clock.Elapsed;

            // The room and the uplink come back: the backlog behind the gaps is published and verified.
            var recovery = Stopwatch.StartNew();
            fs.Unfill();
            rig.Broker.Start();
            var snapshot = (await ChainedAsync(rig))!.Value;
            var evicted = (long)await rig.MetricAsync("edgetwin_outbox_evicted");
            await UntilVerifiedAsync(rig, snapshot, () => Output(rig, second));
            var line = await ledger.AccountAsync(
                string.Create(CultureInfo.InvariantCulture, $"gateway's disk filling {filling.TotalSeconds:F0} s (uplink down), then freed"), start, snapshot, recovery.Elapsed);
            lines.Add(line);

            // What the gateway says it evicted is what the ingest misses, and every gap says disk-space.
            Assert.Equal(evicted, line.ProducedRecords - line.VerifiedRecords);
            var gaps = await ledger.GapsAsync("telemetry", start.Epoch);
            Assert.NotEmpty(gaps);
            Assert.All(gaps, g => Assert.StartsWith("disk-space", g.Reason, StringComparison.Ordinal));
            Assert.True(snapshot.ThroughSeq > gaps.Max(g => g.To), "records after the last gap");

            // Recording and verifying go on after the gaps, with nothing evicted once there is room.
            var mark = snapshot;
            await Wait.UntilAsync(async () => (await ChainedAsync(rig))!.Value.ObsRecords >= mark.ObsRecords + 100, Recover, () => "100 more obs records\n" + Output(rig, second));
            snapshot = (await ChainedAsync(rig))!.Value;
            await UntilVerifiedAsync(rig, snapshot, () => Output(rig, second));
            lines.Add(await ledger.AccountAsync("after the disk was freed", mark, snapshot, null));
            Assert.Equal(evicted, (long)await rig.MetricAsync("edgetwin_outbox_evicted"));

            output.WriteLine($"8 MB tmpfs, floor {floor} bytes, reserve {reserve} bytes, filler {filler} bytes; {gaps.Count} gap statements ({string.Join(", ", gaps.Select(g => $"{g.From}..{g.To} {g.Reason}"))}); {evicted} obs records evicted (the gateway's counter)");
            await StopAndAssertExactAsync(rig, ledger, second, lines, start, snapshot, gaps: true);
            Assert.Equal(0L, lines[1].GapCoveredRecords + lines[2].GapCoveredRecords); // nothing evicted once there was room
        }
        finally
        {
            second.Dispose();
        }
    }

    [Fact]
    public async Task GatewayClockJumpsBackTwoHoursAndForwardAgain_BothJumpsRecorded_EverySampleChainedIsVerifiedOnce()
    {
        Assert.True(File.Exists(LibFaketime), $"{LibFaketime} missing: Debian package faketime (scripts/test.sh installs it)");
        using var rig = new ResendRig();
        var offset = Path.Combine(Path.GetDirectoryName(rig.GatewayData)!, "faketime");
        SetOffset(offset, 0);
        rig.GatewayEnvironment = new Dictionary<string, string>
        {
            ["LD_PRELOAD"] = LibFaketime,
            ["FAKETIME_TIMESTAMP_FILE"] = offset,
            ["FAKETIME_NO_CACHE"] = "1", // read the offset at every clock call: the jump happens when the file changes
            ["FAKETIME_DONT_FAKE_MONOTONIC"] = "1", // a clock step moves the wall clock only
        };
        var (ledger, _, second, start) = await StartSystemAsync(rig);
        await using var closing = ledger;
        try
        {
            List<Accounting> lines = [];
            var before = (await ChainedAsync(rig))!.Value;
            await UntilVerifiedAsync(rig, before, () => Output(rig, second));
            lines.Add(await ledger.AccountAsync("before the jumps (start included)", start, before, null));

            // Back two hours (a wrong manual setting), held until the chain's clock-jump event is verified, then forward to true time (NTP).
            var clock = Stopwatch.StartNew();
            SetOffset(offset, -JumpSeconds);
            await Wait.UntilAsync(async () => await rig.MetricAsync("edgetwin_clock_jumps", "direction=\"backward\"") >= 1, Recover, () => "the backward jump recorded\n" + Output(rig, second));
            var back = (await ChainedAsync(rig))!.Value;
            await UntilVerifiedAsync(rig, back, () => Output(rig, second));
            SetOffset(offset, 0);
            await Wait.UntilAsync(async () => await rig.MetricAsync("edgetwin_clock_jumps", "direction=\"forward\"") >= 1, Recover, () => "the forward jump recorded\n" + Output(rig, second));
            var held = clock.Elapsed;
            Assert.Equal((1.0, 1.0), (await rig.MetricAsync("edgetwin_clock_jumps", "direction=\"backward\""), await rig.MetricAsync("edgetwin_clock_jumps", "direction=\"forward\"")));
            var snapshot = (await ChainedAsync(rig))!.Value;
            await UntilVerifiedAsync(rig, snapshot, () => Output(rig, second));
            lines.Add(await ledger.AccountAsync(
                string.Create(CultureInfo.InvariantCulture, $"clock back 2 h, forward 2 h {held.TotalSeconds:F0} s later"), before, snapshot, clock.Elapsed));

            await StopAndAssertExactAsync(rig, ledger, second, lines, start, snapshot);

            // Both jumps are in the chain the ingest verified (an event each, about 2 h either way), in the journal and in the metric.
            var jumps = await ledger.EventsAsync("telemetry", start.Epoch, "clock-jump");
            output.WriteLine($"clock-jump events: {string.Join(" ", jumps.Select(j => j.ToString()))}");
            Assert.Equal(2, jumps.Count);
            Assert.InRange(jumps[0].GetProperty("deltaMs").GetInt64(), (-JumpSeconds * 1000) - 2000, (-JumpSeconds * 1000) + 2000);
            Assert.InRange(jumps[1].GetProperty("deltaMs").GetInt64(), (JumpSeconds * 1000) - 2000, (JumpSeconds * 1000) + 2000);
            Assert.Equal(2, rig.Gateway!.Stdout.Split("recorded as a clock-jump event").Length - 1);
            AssertContinuousWaveforms(await ledger.ObsBodiesAsync("telemetry", start.Epoch, before.ThroughSeq + 1, snapshot.ThroughSeq));
        }
        finally
        {
            second.Dispose();
        }
    }

    private static void SetOffset(string file, long seconds) =>
        File.WriteAllText(file, seconds.ToString("+0;-0", CultureInfo.InvariantCulture) + "\n");

    /// <summary>
    /// No hole in any waveform across the jumps: each stream's next record starts where the last one
    /// ended (t0 + samples × dt, to the millisecond). Samples carry signal-grid times, so a hole here is
    /// signal the simulator never produced, which the chained counts alone would not show. A record of
    /// one sample states no <c>dt</c> (0, PROTOCOL §4): the run open when the clock stepped back is
    /// recorded when its interval is up, and holds one sample when the simulator's last wake before
    /// the step came within one sample of the run's start; it still spans one sample of its stream.
    /// </summary>
    private static void AssertContinuousWaveforms(List<JsonElement> bodies)
    {
        var streams = bodies.GroupBy(b => (b.GetProperty("device").GetString(), b.GetProperty("code").GetString()))
            .Where(s => s.Any(b => b.GetProperty("dt").GetDouble() > 0)).ToList();
        Assert.NotEmpty(streams);
        foreach (var stream in streams)
        {
            var dt = stream.Select(b => b.GetProperty("dt").GetDouble()).Where(d => d > 0).Distinct().Single();
            var runs = stream.Select(b => (T0: b.GetProperty("t0").GetDateTimeOffset(), Dt: dt, N: b.GetProperty("v").GetArrayLength()))
                .OrderBy(x => x.T0).ToList();
            for (var i = 1; i < runs.Count; i++)
            {
                var expected = runs[i - 1].T0.AddMilliseconds(runs[i - 1].N * runs[i - 1].Dt);
                Assert.True(Math.Abs((runs[i].T0 - expected).TotalMilliseconds) <= 1, $"{stream.Key}: a run starts at {runs[i].T0:O}, the one before ended at {expected:O}");
            }
        }
    }
}
