namespace EdgeTwin.Integration.Tests.Gateway;

using System.Diagnostics;
using System.Text.Json;
using EdgeTwin.Integration.Tests.Support;
using Xunit.Abstractions;

/// <summary>
/// Issue 24, "a full disk never silences the bedside", on a real size-limited filesystem (a tmpfs the
/// test mounts; CI runs as root) with the real gateway process and a real mosquitto. Where mounting
/// is refused the tests fail saying so: the "no space" fault itself is covered by the unit tests
/// (Gateway.Tests FullDiskTests, an injected ENOSPC in the storage layer).
/// </summary>
public class FullDiskTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(150);

    [Fact]
    public async Task SixteenBeds_SixMegabyteDisk_BrokerDown_StaysUp_EvictsBehindDiskSpaceGaps_SurvivesAFullDisk_AndEveryRecordIsVerifiedOrNamedByAGap()
    {
        using var fs = MountOrExplain("6m");
        using var mosquitto = new Mosquitto();
        await using var capture = await Capture.StartAsync(mosquitto.Port);
        mosquitto.Stop();
        var work = Directory.CreateTempSubdirectory("edgetwin-it-").FullName;
        using var status = new GatewayStatus(Mosquitto.FreePort());
        var args = InProcessGateway.Args(Path.Combine(fs.Path, "state"), mosquitto.Port, "--Simulation:Beds=16", "--Simulation:Scenario=acute-hypoxia",
            "--Simulation:Speed=4", "--Outbox:MinFreeBytes=2500000", "--Outbox:MinFreePercent=50", status.Url);
        var clock = Stopwatch.StartNew();
        using var gateway = GatewayProcess.Start(work, args);

        // Filling: the floor (2.5 MB of 6 MB) is reached and the oldest waveforms go behind disk-space gaps.
        await Wait.UntilAsync(() => gateway.Stdout.Contains("under the floor Outbox:MinFreeBytes", StringComparison.Ordinal) || gateway.HasExited, Patience, "a disk-space eviction");
        Assert.False(gateway.HasExited, gateway.Stderr + gateway.Stdout);
        var evictionStarted = clock.Elapsed;
        await Wait.UntilAsync(() => status.Annunciation == "high" || gateway.HasExited, Patience, "the hypoxia alarms sounding");
        var headAtFloor = status.Head("telemetry");
        await Wait.UntilAsync(() => status.Head("telemetry") > headAtFloor + 2000 || status.StorageFull || gateway.HasExited, Patience, "2000 more records recorded under the floor");
        Assert.False(gateway.HasExited, gateway.Stderr + gateway.Stdout);
        Assert.False(status.StorageFull, $"the floor must keep the disk from filling: {status.Read()}\n{Listing(fs.Path)}\n{Tail(gateway.Stdout)}");
        var freeUnderFloor = fs.AvailableBytes;

        // Another process fills the disk: nothing can be committed; the box keeps alarming and says why.
        var filler = fs.Fill();
        await Wait.UntilAsync(() => status.StorageFull || gateway.HasExited, Patience, "storage full on the status page");
        var alarmHeadWhenFull = status.Head("alarm");
        await Wait.UntilAsync(() => status.Head("alarm") > alarmHeadWhenFull || gateway.HasExited, Patience, "the storage-full alarm appended while full");
        Assert.False(gateway.HasExited, gateway.Stderr + gateway.Stdout);
        Assert.Equal("high", status.Annunciation);
        Assert.Contains("Outbox in", gateway.Stdout, StringComparison.Ordinal);

        // Space returns, then the broker.
        fs.Unfill();
        await Wait.UntilAsync(() => !status.StorageFull || gateway.HasExited, Patience, "storage no longer full");
        Assert.False(gateway.HasExited, gateway.Stderr + gateway.Stdout);
        mosquitto.Start();
        var head = status.Head("telemetry");
        await Wait.UntilAsync(() => (capture.HighestSeq("telemetry") >= head && status.Drained) || gateway.HasExited, Patience, "the backlog published");
        gateway.Terminate();
        Assert.True(gateway.WaitForExit(TimeSpan.FromSeconds(40)), "graceful stop on SIGTERM");
        Assert.Equal(0, gateway.ExitCode);

        var accounting = AssertEveryRecordVerifiedOrNamedByAGap(capture, Verification.GatewayAddress(Path.Combine(fs.Path, "state")));
        Assert.Equal(0, accounting.PublishedAnyway);
        var notKept = Assert.Single(Verification.Kinds(capture.Records("telemetry"), "event").Where(e => e.GetProperty("body").GetProperty("type").GetString() == "storage-full")
            .DistinctBy(e => e.GetProperty("seq").GetInt64()));
        Assert.True(notKept.GetProperty("body").GetProperty("obsNotKept").GetInt64() > 0, notKept.ToString());
        var storageAlarms = Verification.Kinds(capture.Records("alarm"), "alarm").Where(a => a.GetProperty("body").GetProperty("condition").GetString() == "storage-full")
            .Select(a => a.GetProperty("body").GetProperty("state").GetString()).ToList();
        Assert.Contains("raised", storageAlarms);
        Assert.Contains("cleared", storageAlarms);
        output.WriteLine($"16 beds on a 6 MB tmpfs (floor 2.5 MB): disk-space eviction began {evictionStarted.TotalSeconds:F1} s after start; " +
            $"free under the floor {freeUnderFloor} bytes; filler {filler} bytes; {accounting.GapRecords} gap records named {accounting.Evicted} evicted records " +
            $"({string.Join(",", accounting.Reasons)}; {accounting.PublishedAnyway} of them published, {accounting.UnreceiptedReceived} named by -unreceipted gaps received); {accounting.Received} telemetry records received; storage-full event {notKept.GetProperty("body")}; " +
            $"run {clock.Elapsed.TotalSeconds:F0} s, exit code {gateway.ExitCode}");
        Directory.Delete(work, recursive: true);
    }

    [Fact]
    public async Task StartsOnAFullDisk_RaisesStorageFull_KeepsAlarming_AndResumesTheSameChainsWhenSpaceReturns()
    {
        using var fs = MountOrExplain("6m");
        using var mosquitto = new Mosquitto();
        await using var capture = await Capture.StartAsync(mosquitto.Port);
        mosquitto.Stop();
        var work = Directory.CreateTempSubdirectory("edgetwin-it-").FullName;
        using var status = new GatewayStatus(Mosquitto.FreePort());
        var args = InProcessGateway.Args(Path.Combine(fs.Path, "state"), mosquitto.Port, "--Simulation:Scenario=acute-hypoxia", "--Simulation:Speed=4",
            status.Url);
        using (var first = GatewayProcess.Start(work, args))
        {
            await Wait.UntilAsync(() => status.Head("telemetry") >= 50 || first.HasExited, Patience, "50 records on the first run");
            first.Terminate();
            Assert.True(first.WaitForExit(TimeSpan.FromSeconds(40)), "graceful stop on SIGTERM");
            Assert.Equal(0, first.ExitCode);
        }

        fs.Fill();
        using var second = GatewayProcess.Start(work, args);
        await Wait.UntilAsync(() => status.StorageFull || second.HasExited, Patience, "storage full on the status page after a start on a full disk");
        await Wait.UntilAsync(() => status.Annunciation == "high" || second.HasExited, Patience, "the hypoxia alarms sounding on a full disk");
        var alarmHead = status.Head("alarm");
        await Wait.UntilAsync(() => status.Head("alarm") > alarmHead + 1 || second.HasExited, Patience, "alarms appended while full");
        Assert.False(second.HasExited, second.Stderr + second.Stdout);

        fs.Unfill();
        await Wait.UntilAsync(() => !status.StorageFull || second.HasExited, Patience, "storage no longer full");
        mosquitto.Start();
        var head = status.Head("telemetry");
        await Wait.UntilAsync(() => (capture.HighestSeq("telemetry") >= head && status.Drained) || second.HasExited, Patience, "everything published");
        second.Terminate();
        Assert.True(second.WaitForExit(TimeSpan.FromSeconds(40)), "graceful stop on SIGTERM");
        Assert.Equal(0, second.ExitCode);

        var accounting = AssertEveryRecordVerifiedOrNamedByAGap(capture, Verification.GatewayAddress(Path.Combine(fs.Path, "state")));
        Assert.Equal(0, accounting.Evicted);
        var reports = Verification.Verify(capture.AllRecords, Verification.GatewayAddress(Path.Combine(fs.Path, "state")));
        Assert.Equal(2, reports.Count); // one epoch per lane: the start on a full disk continued the chains
        Assert.Single(Verification.Kinds(capture.Records("telemetry"), "event").Where(e => e.GetProperty("body").GetProperty("type").GetString() == "storage-full")
            .DistinctBy(e => e.GetProperty("seq").GetInt64()));
        Directory.Delete(work, recursive: true);
    }

    private static string Listing(string path) =>
        string.Join("\n", Directory.GetFiles(path, "*", SearchOption.AllDirectories).Select(f => $"{new FileInfo(f).Length,10} {f}"));

    private static string Tail(string text) => text.Length > 4000 ? text[^4000..] : text;

    private SmallFilesystem MountOrExplain(string size)
    {
        var fs = SmallFilesystem.Mount(size);
        if (!fs.Mounted)
        {
            output.WriteLine($"No size-limited filesystem: {fs.Refusal}. The injected no-space fault (Gateway.Tests FullDiskTests) covers the storage layer; this test needs root to mount a tmpfs.");
            fs.Dispose();
            Assert.Fail($"cannot mount a {size} tmpfs ({fs.Refusal}); run as root (CI does)");
        }

        output.WriteLine($"tmpfs of {size} mounted at {fs.Path}, {fs.AvailableBytes} bytes free");
        return fs;
    }

    /// <summary>
    /// Every chain sound (no fork, no broken link, good signatures); every seq up to the highest is
    /// received or named by a gap statement, and no received record is inside a gap that says its
    /// records were dropped unsent (<c>disk-space</c>, <c>quota</c>: that gap would be a lie; a gap
    /// ending <c>-unreceipted</c> names records that were published before they were dropped, and
    /// those that arrived are counted); every chain ends verified.
    /// </summary>
    private static (long Received, long Evicted, int GapRecords, IReadOnlyList<string> Reasons, long PublishedAnyway, long UnreceiptedReceived) AssertEveryRecordVerifiedOrNamedByAGap(Capture capture, string address)
    {
        var reports = Verification.Verify(capture.AllRecords, address);
        long received = 0, evicted = 0, publishedAnyway = 0, unreceiptedReceived = 0;
        var gapRecords = 0;
        var reasons = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var report in reports)
        {
            var records = capture.AllRecords.Select(p => JsonDocument.Parse(p).RootElement)
                .Where(r => r.GetProperty("epoch").GetString() == report.Chain.Epoch).DistinctBy(r => r.GetProperty("seq").GetInt64()).ToList();
            var seqs = records.Select(r => r.GetProperty("seq").GetInt64()).ToHashSet();
            var gaps = records.Where(r => r.GetProperty("kind").GetString() == "gap").Select(r => r.GetProperty("body")).ToList();
            var named = new HashSet<long>();
            var unsent = new HashSet<long>();
            foreach (var gap in gaps)
            {
                var reason = gap.GetProperty("reason").GetString()!;
                reasons.Add(reason);
                for (var s = gap.GetProperty("from").GetInt64(); s <= gap.GetProperty("to").GetInt64(); s++)
                {
                    Assert.True(named.Add(s), $"{report.Chain}: seq {s} named by two gaps");
                    if (!reason.EndsWith("-unreceipted", StringComparison.Ordinal))
                    {
                        unsent.Add(s);
                    }
                }
            }

            Assert.True(report.Sound, $"{report.Chain}: {string.Join("; ", report.Problems)}");
            var lies = unsent.Where(seqs.Contains).Order().ToList();
            publishedAnyway += lies.Count;
            unreceiptedReceived += named.Except(unsent).Count(seqs.Contains);
            Assert.True(lies.Count == 0, $"{report.Chain}: {lies.Count} records named by a gap as dropped unsent were published: {string.Join(",", lies.Take(20))}");
            var unaccounted = Enumerable.Range(0, (int)report.HighestSeq + 1).Select(s => (long)s).Where(s => !seqs.Contains(s) && !named.Contains(s)).Take(20).ToList();
            Assert.True(unaccounted.Count == 0, $"{report.Chain}: seqs neither received nor named by a gap: {string.Join(",", unaccounted)}");
            Assert.True(report.VerifiedThrough >= report.HighestSeq - 1, $"{report.Chain}: verified through {report.VerifiedThrough} of {report.HighestSeq}, pending {report.Pending}");
            received += seqs.Count;
            evicted += named.Count;
            gapRecords += gaps.Count;
        }

        return (received, evicted, gapRecords, [.. reasons], publishedAnyway, unreceiptedReceived);
    }
}
