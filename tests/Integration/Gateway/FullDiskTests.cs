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

    /// <summary>Full this long without anyone freeing space is stuck (a recovery takes a retry or two, a second each).</summary>
    private static readonly TimeSpan StuckFull = TimeSpan.FromSeconds(30);

    /// <summary>How long the starved box stalls at a time: a pile of about 500 records (16 beds) when it resumes.</summary>
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task SixteenBeds_SixMegabyteDisk_BrokerDown_StaysUp_EvictsBehindDiskSpaceGaps_SurvivesAFullDisk_AndEveryRecordIsVerifiedOrNamedByAGap()
    {
        await using var ward = await Ward.StartAsync(MountOrExplain("6m"), "--Outbox:MinFreeBytes=2500000", "--Outbox:MinFreePercent=50");
        var (fs, status, gateway) = (ward.Fs, ward.Status, ward.Gateway);

        // Filling: the floor (2.5 MB of 6 MB) is reached and the oldest waveforms go behind disk-space gaps.
        var evictionStarted = await ward.EvictionStartedAsync();
        await Wait.UntilAsync(() => status.Annunciation == "high" || gateway.HasExited, Patience, "the hypoxia alarms sounding");
        var headAtFloor = status.Head("telemetry");
        await Wait.UntilAsync(() => status.Head("telemetry") > headAtFloor + 2000 || status.StorageFull || gateway.HasExited, Patience, "2000 more records recorded under the floor");
        Assert.False(gateway.HasExited, gateway.Stderr + gateway.Stdout);
        Assert.False(status.StorageFull, $"the floor must keep the disk from filling: {status.Read()}\n{Listing(fs.Path)}\n{Tail(gateway.Stdout)}");
        Assert.Equal(0, status.StorageEpisodes);
        var reserve = status.ReserveBytes;
        Assert.True(reserve > 0, $"a storage reserve: {status.Read()}");
        var freeUnderFloor = fs.AvailableBytes;

        // Another process fills the disk while the box is stalled (starved of CPU, as on the CI box
        // whose released room went too: it then has a pile of records to commit at once; and paused,
        // so that the filler does not take the reserve's room as soon as it is given up). The outbox
        // has telemetry to evict: it gives up its reserve and goes on recording within its own
        // files, by itself, the pile included, without filling the disk again.
        var filler = await FillWhilePausedAsync(fs, gateway, Stall);
        await UntilAsync(gateway, status, () => status.ReserveReleases == 1 && status.StorageEpisodes == 1 && !status.StorageFull, "the reserve released and the outbox taking records again", fs);
        var headAfterRelease = status.Head("telemetry");
        await UntilAsync(gateway, status, () => status.Head("telemetry") > headAfterRelease + 500, "500 more records recorded in the reserve's room", fs);
        Assert.False(gateway.HasExited, gateway.Stderr + gateway.Stdout);
        Assert.Contains("Released the storage reserve", gateway.Stdout, StringComparison.Ordinal);

        // Filled to the last page again: no reserve left, nothing can be committed; the box keeps alarming and says why.
        filler += await FillWhilePausedAsync(fs, gateway, TimeSpan.Zero);
        await Wait.UntilAsync(() => status.StorageFull || gateway.HasExited, Patience, "storage full on the status page");
        var alarmHeadWhenFull = status.Head("alarm");
        await Wait.UntilAsync(() => status.Head("alarm") > alarmHeadWhenFull || gateway.HasExited, Patience, "the storage-full alarm appended while full");
        Assert.False(gateway.HasExited, gateway.Stderr + gateway.Stdout);
        Assert.Equal("high", status.Annunciation);
        Assert.Equal(2, status.StorageEpisodes);
        Assert.Contains("Outbox in", gateway.Stdout, StringComparison.Ordinal);

        // Space returns, then the broker.
        fs.Unfill();
        await Wait.UntilAsync(() => !status.StorageFull || gateway.HasExited, Patience, "storage no longer full");
        var capture = ward.Capture;
        List<JsonElement> StorageAlarms() => [.. Verification.Kinds(capture.Records("alarm"), "alarm").Where(a => a.GetProperty("body").GetProperty("condition").GetString() == "storage-full")
            .DistinctBy(a => a.GetProperty("seq").GetInt64()).OrderBy(a => a.GetProperty("seq").GetInt64())];
        var (accounting, episodes) = await ward.PublishAndStopAsync(
            () => StorageAlarms() is [{ } first, .., { } last] && first.GetProperty("body").GetProperty("state").GetString() == "raised" && last.GetProperty("body").GetProperty("state").GetString() == "cleared",
            "the storage-full alarm raised and, last, cleared on the alarm lane");
        var notKept = Verification.Kinds(capture.Records("telemetry"), "event").Where(e => e.GetProperty("body").GetProperty("type").GetString() == "storage-full")
            .DistinctBy(e => e.GetProperty("seq").GetInt64()).OrderBy(e => e.GetProperty("seq").GetInt64()).ToList();
        Assert.Equal(episodes, notKept.Count);
        Assert.True(notKept[^1].GetProperty("body").GetProperty("obsNotKept").GetInt64() > 0, notKept[^1].ToString());
        output.WriteLine($"16 beds on a 6 MB tmpfs (floor 2.5 MB, reserve {reserve} bytes): disk-space eviction began {evictionStarted.TotalSeconds:F1} s after start; " +
            $"free under the floor {freeUnderFloor} bytes; filler {filler} bytes; {accounting.GapRecords} gap records named {accounting.Evicted} evicted records " +
            $"({string.Join(",", accounting.Reasons)}; {accounting.PublishedAnyway} of them published, {accounting.UnreceiptedReceived} named by -unreceipted gaps received); {accounting.Received} telemetry records received; " +
            $"storage-full events {string.Join(" ", notKept.Select(e => e.GetProperty("body").ToString()))}; run {ward.Clock.Elapsed.TotalSeconds:F0} s, exit code {gateway.ExitCode}");
    }

    [Fact]
    public async Task SixteenBeds_SixMegabyteDisk_DefaultFloor_BrokerDown_KeepsRecording_NeverStuckFull_AndEveryRecordIsVerifiedOrNamedByAGap()
    {
        await using var ward = await Ward.StartAsync(MountOrExplain("6m"));
        var (fs, status, gateway) = (ward.Fs, ward.Status, ward.Gateway);
        var evictionStarted = await ward.EvictionStartedAsync();
        var headAtEviction = status.Head("telemetry");

        // Recording goes on under the default floor (2 MiB of 6 MB) on a box starved of CPU: the
        // gateway stalls (SIGSTOP) for a few seconds at a time and then has a pile of records to
        // commit at once (the simulated beds catch up), as on the CI box whose 6 MB filled up. A full
        // disk, if the outbox ever fills it, must clear by itself: nobody frees anything here.
        var watch = new FullWatch(status);
        var stalls = 0;
        while (status.Head("telemetry") <= headAtEviction + 3000 && !gateway.HasExited)
        {
            gateway.Pause();
            await Task.Delay(Stall); // the stall itself, not a wait for something to happen
            gateway.Continue();
            stalls++;
            var resumedAt = status.Head("telemetry");
            await UntilAsync(gateway, status, () => watch.Check(fs, gateway) && status.Head("telemetry") > resumedAt + 300, "300 records recorded after a stall");
        }

        await UntilAsync(gateway, status, () => watch.Check(fs, gateway) && !status.StorageFull, "storage not full");
        Assert.False(gateway.HasExited, gateway.Stderr + gateway.Stdout);
        var (free, episodes, releases) = (fs.AvailableBytes, status.StorageEpisodes, status.ReserveReleases);
        var head = status.Head("telemetry");
        var (accounting, _) = await ward.PublishAndStopAsync();
        Assert.True(accounting.Evicted > 0, "records evicted under the floor");
        output.WriteLine($"16 beds on a 6 MB tmpfs, default floor: eviction began {evictionStarted.TotalSeconds:F1} s after start at head {headAtEviction}; " +
            $"{stalls} stalls of {Stall.TotalSeconds:F0} s; head {head} when the broker came back; free {free} bytes; {episodes} full episodes (longest seen {watch.Longest.TotalSeconds:F1} s), {releases} reserve releases; " +
            $"{accounting.GapRecords} gap records named {accounting.Evicted} evicted records ({string.Join(",", accounting.Reasons)}; {accounting.PublishedAnyway} published); " +
            $"{accounting.Received} telemetry records received; run {ward.Clock.Elapsed.TotalSeconds:F0} s, exit code {gateway.ExitCode}");
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

    /// <summary>
    /// Waits for <paramref name="condition"/> (or the gateway's exit); a timeout says what the status
    /// page and the log said, and which files hold the disk (<paramref name="fs"/>).
    /// </summary>
    private static Task UntilAsync(GatewayProcess gateway, GatewayStatus status, Func<bool> condition, string what, SmallFilesystem? fs = null) =>
        Wait.UntilAsync(() => Task.FromResult(condition() || gateway.HasExited), Patience,
            () => $"{what}: {status.Read()}\n{(fs is null ? "" : Listing(fs.Path) + "\n")}{Tail(gateway.Stdout)}");

    /// <summary>
    /// 16 simulated beds (acute hypoxia, 4 × speed) on a small filesystem, the broker down and a
    /// capture standing in for the cloud: the real gateway process, its status page, and the end of
    /// each run (broker back, backlog published, SIGTERM, every chain checked).
    /// </summary>
    private sealed class Ward : IAsyncDisposable
    {
        private readonly string _work = Directory.CreateTempSubdirectory("edgetwin-it-").FullName;

        private Ward(SmallFilesystem fs, Mosquitto mosquitto, Capture capture)
        {
            (Fs, Mosquitto, Capture) = (fs, mosquitto, capture);
        }

        public SmallFilesystem Fs { get; }

        public Mosquitto Mosquitto { get; }

        public Capture Capture { get; }

        public GatewayStatus Status { get; } = new(Mosquitto.FreePort());

        public GatewayProcess Gateway { get; private set; } = null!;

        public Stopwatch Clock { get; } = new();

        public string DataDirectory => Path.Combine(Fs.Path, "state");

        public static async Task<Ward> StartAsync(SmallFilesystem fs, params string[] settings)
        {
            Mosquitto? mosquitto = null;
            Capture capture;
            try
            {
                mosquitto = new Mosquitto();
                capture = await Capture.StartAsync(mosquitto.Port);
            }
            catch
            {
                mosquitto?.Dispose();
                fs.Dispose(); // unmounted, not left behind by a broker or capture that would not start
                throw;
            }

            var ward = new Ward(fs, mosquitto, capture);
            mosquitto.Stop();
            ward.Clock.Start();
            ward.Gateway = GatewayProcess.Start(ward._work, InProcessGateway.Args(ward.DataDirectory, mosquitto.Port,
                ["--Simulation:Beds=16", "--Simulation:Scenario=acute-hypoxia", "--Simulation:Speed=4", .. settings, ward.Status.Url,
                 // Its connections (1040: none may come while the broker is down) and its final heads (1023) in its output.
                 "--Logging:LogLevel:EdgeTwin.Gateway.Uplink.MqttUplink=Information", "--Logging:LogLevel:EdgeTwin.Gateway.Outbox.GroupCommitter=Information"]));
            return ward;
        }

        /// <summary>Waits for the first eviction under the floor; returns how long after start it came.</summary>
        public async Task<TimeSpan> EvictionStartedAsync()
        {
            await Wait.UntilAsync(() => Gateway.Stdout.Contains("under the floor Outbox:MinFreeBytes", StringComparison.Ordinal) || Gateway.HasExited, Patience, "a disk-space eviction");
            Assert.False(Gateway.HasExited, Gateway.Stderr + Gateway.Stdout);
            return Clock.Elapsed;
        }

        /// <summary>
        /// The broker comes back; once the backlog is published (and what <paramref name="received"/>
        /// waits for has arrived) the gateway stops (exit 0) and every chain is checked. Returns that
        /// and the full episodes.
        /// </summary>
        public async Task<((long Received, long Evicted, int GapRecords, IReadOnlyList<string> Reasons, long PublishedAnyway, long UnreceiptedReceived) Accounting, long Episodes)> PublishAndStopAsync(
            Func<bool>? received = null, string? what = null)
        {
            Assert.False(Gateway.HasExited, Gateway.Stderr + Gateway.Stdout);

            // The broker was down all along: a connection now would have been to another listener on its port.
            Assert.DoesNotContain("Uplink connected to", Gateway.Stdout, StringComparison.Ordinal);
            Mosquitto.Start();
            var (head, alarmHead) = (Status.Head("telemetry"), Status.Head("alarm"));
            await Wait.UntilAsync(() => (Capture.HighestSeq("telemetry") >= head && Capture.HighestSeq("alarm") >= alarmHead && Status.Drained) || Gateway.HasExited, Patience, "the backlog published");
            if (received is not null)
            {
                await Wait.UntilAsync(() => received() || Gateway.HasExited, Patience, what ?? "the records awaited");
            }

            var episodes = Status.StorageEpisodes;
            Gateway.Terminate();
            Assert.True(Gateway.WaitForExit(TimeSpan.FromSeconds(40)), "graceful stop on SIGTERM");
            Assert.Equal(0, Gateway.ExitCode);
            await FinalRecordsCapturedAsync();
            try
            {
                var accounting = AssertEveryRecordVerifiedOrNamedByAGap(Capture, Verification.GatewayAddress(DataDirectory));
                Assert.Equal(0, accounting.PublishedAnyway);
                return (accounting, episodes);
            }
            catch (Xunit.Sdk.XunitException ex)
            {
                throw new Xunit.Sdk.XunitException($"{ex.Message}\n{AroundTheFailure(ex.Message)}\n(the capture, the gateway's output and the broker's log are kept in {KeepForInspection()})", ex);
            }
        }

        /// <summary>
        /// The stop published the chains' final checkpoints (the pipeline seals every chain, the uplink
        /// publishes what was committed before it disconnects); the broker hands them on to the capture a
        /// little later, which a loaded machine can stretch past the gateway's exit. Waits until the capture
        /// holds each lane up to the head the stopped gateway's outbox ends at; fails saying which records
        /// never came and whether the outbox still holds them (never published) when it does not.
        /// </summary>
        private async Task FinalRecordsCapturedAsync()
        {
            Dictionary<string, long> heads;
            try
            {
                using var store = OpenStoppedOutbox();
                heads = new Dictionary<string, long>
                {
                    ["telemetry"] = store.Heads[EdgeTwin.Telemetry.Records.Lane.Telemetry].Seq,
                    ["alarm"] = store.Heads[EdgeTwin.Telemetry.Records.Lane.Alarm].Seq,
                };
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException or LiteDB.LiteException)
            {
                throw new Xunit.Sdk.XunitException($"the stopped gateway's outbox could not be opened for its heads: {ex.Message}");
            }

            try
            {
                await Wait.UntilAsync(() => heads.All(h => Capture.HighestSeq(h.Key) >= h.Value), TimeSpan.FromSeconds(15), "the capture holding every lane up to the stopped gateway's head");
            }
            catch (TimeoutException)
            {
                var lagging = heads.Where(h => Capture.HighestSeq(h.Key) < h.Value).Select(h =>
                    $"{h.Key}: the outbox ends at {h.Value}, the capture at {Capture.HighestSeq(h.Key)}" +
                    (h.Key == "telemetry" ? $" (after it: {StillStored([.. Enumerable.Range(0, (int)Math.Min(20, h.Value - Capture.HighestSeq(h.Key))).Select(i => Capture.HighestSeq(h.Key) + 1 + i)])})" : ""));
                throw new Xunit.Sdk.XunitException($"15 s after the gateway's exit the capture lacks the last records it committed: {string.Join("; ", lagging)}\n" +
                    $"(the capture, the gateway's output and the broker's log are kept in {KeepForInspection()})");
            }
        }

        private EdgeTwin.Outbox.OutboxStore OpenStoppedOutbox()
        {
            var key = EdgeTwin.Outbox.Encryption.StorageKey.Open(Path.Combine(DataDirectory, "storage.key"), generateWhenMissing: false);
            return EdgeTwin.Gateway.Storage.OutboxOpener.Open(DataDirectory, EdgeTwin.Outbox.Durability.SyncedOutboxFiles.Instance, key, TimeProvider.System, mayCreate: false).Store;
        }

        /// <summary>
        /// For a failed accounting that names seqs: the gateway's eviction lines and the captured gap
        /// statements whose ranges come within 200 seqs of them, the kinds captured around them, and which
        /// of them the stopped gateway's outbox still holds (a CI run keeps only the message).
        /// </summary>
        private string AroundTheFailure(string message)
        {
            var named = System.Text.RegularExpressions.Regex.Match(message, @"neither received nor named by a gap: ([0-9,]+)");
            if (!named.Success)
            {
                return "";
            }

            var seqs = named.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(long.Parse).ToList();
            var (low, high) = (seqs.Min() - 200, seqs.Max() + 200);
            var evictions = Gateway.Stdout.Split('\n').Where(l =>
                System.Text.RegularExpressions.Regex.Match(l, @"records (\d+)\.\.(\d+) behind a gap") is { Success: true } m
                && long.Parse(m.Groups[2].Value) >= low && long.Parse(m.Groups[1].Value) <= high).Take(20);
            var telemetry = Capture.Records("telemetry").Select(p => JsonDocument.Parse(p).RootElement).ToList();
            var gaps = telemetry.Where(r => r.GetProperty("kind").GetString() == "gap")
                .Select(g => (Seq: g.GetProperty("seq").GetInt64(), Body: g.GetProperty("body")))
                .Where(g => g.Body.GetProperty("to").GetInt64() >= low && g.Body.GetProperty("from").GetInt64() <= high)
                .DistinctBy(g => g.Seq).Take(20).Select(g => $"#{g.Seq} {g.Body.GetProperty("from")}..{g.Body.GetProperty("to")} {g.Body.GetProperty("reason")}");
            var kinds = telemetry.Where(r => seqs.Any(s => Math.Abs(r.GetProperty("seq").GetInt64() - s) <= 10))
                .DistinctBy(r => r.GetProperty("seq").GetInt64()).OrderBy(r => r.GetProperty("seq").GetInt64()).Take(80)
                .Select(r => $"{r.GetProperty("seq").GetInt64()}:{r.GetProperty("kind").GetString()}");
            return $"eviction lines near them:\n{string.Join("\n", evictions)}\ngaps captured near them: {string.Join("; ", gaps)}\n" +
                $"captured around them: {string.Join(" ", kinds)}\nstill in the outbox after the stop (never published) or gone from it: {StillStored(seqs)}";
        }

        /// <summary>Which of <paramref name="seqs"/> the stopped gateway's outbox still holds (stranded) and which it does not (gone).</summary>
        private string StillStored(IReadOnlyList<long> seqs)
        {
            try
            {
                using var store = OpenStoppedOutbox();
                var held = seqs.Where(s => store.Read(EdgeTwin.Telemetry.Records.Lane.Telemetry, s, s, 1).Count == 1).ToList();
                return $"held {string.Join(",", held)}; gone {string.Join(",", seqs.Except(held))}";
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException or LiteDB.LiteException)
            {
                return $"the outbox could not be opened: {ex.Message}";
            }
        }

        /// <summary>
        /// Writes what a failed accounting needs to be understood (every message captured, one JSON line
        /// each with its topic; the gateway's output; the broker's log) to a directory that outlives the
        /// test, and returns its path.
        /// </summary>
        private string KeepForInspection()
        {
            var dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "edgetwin-failed", $"fulldisk-{DateTime.UtcNow:yyyyMMddTHHmmss}-{Environment.ProcessId}")).FullName;
            File.WriteAllLines(Path.Combine(dir, "capture.jsonl"), Capture.Messages.Select(m =>
                JsonSerializer.Serialize(new { topic = m.Topic, payload = System.Text.Encoding.UTF8.GetString(m.Payload) })));
            File.WriteAllText(Path.Combine(dir, "gateway.out"), Gateway.Stdout + "\n--- stderr ---\n" + Gateway.Stderr);
            File.WriteAllText(Path.Combine(dir, "mosquitto.log"), Mosquitto.Log);
            return dir;
        }

        public async ValueTask DisposeAsync()
        {
            Gateway?.Dispose();
            Status.Dispose();
            await Capture.DisposeAsync();
            Mosquitto.Dispose();
            Fs.Dispose();
            Directory.Delete(_work, recursive: true);
        }
    }

    /// <summary>Watches the status page for a full outbox and fails the test when one stays full for <see cref="StuckFull"/>.</summary>
    private sealed class FullWatch(GatewayStatus status)
    {
        private readonly Stopwatch _full = new();

        public TimeSpan Longest { get; private set; }

        /// <summary>True (for use in a wait's condition); throws when the outbox has been full for too long.</summary>
        public bool Check(SmallFilesystem fs, GatewayProcess gateway)
        {
            if (!status.StorageFull)
            {
                _full.Reset();
                return true;
            }

            _full.Start();
            Longest = _full.Elapsed > Longest ? _full.Elapsed : Longest;
            Assert.True(_full.Elapsed < StuckFull, $"storage full for {_full.Elapsed.TotalSeconds:F0} s: {status.Read()}\n{Listing(fs.Path)}\n{Tail(gateway.Stdout)}");
            return true;
        }
    }

    /// <summary>
    /// Fills the disk while the gateway is paused (so that the filler does not take the room the
    /// gateway gives up), for <paramref name="stall"/> at least: after a stall it resumes with a pile of
    /// records to commit on a full disk.
    /// </summary>
    private static async Task<long> FillWhilePausedAsync(SmallFilesystem fs, GatewayProcess gateway, TimeSpan stall)
    {
        gateway.Pause();
        try
        {
            await Task.Delay(stall); // the stall itself, not a wait for something to happen
            return fs.Fill();
        }
        finally
        {
            gateway.Continue();
        }
    }

    private static string Listing(string path) =>
        string.Join("\n", Directory.GetFiles(path, "*", SearchOption.AllDirectories).Select(f => $"{new FileInfo(f).Length,10} {f}"));

    private static string Tail(string text) => text.Length > 4000 ? text[^4000..] : text;

    [Fact]
    public async Task BrandNewInstall_OnAFullDisk_ComesUpAlarming_RaisesStorageFull_PublishesNothing_ThenWritesItsKeysAndStartsItsChainsWhenSpaceReturns()
    {
        using var fs = MountOrExplain("6m");
        using var mosquitto = new Mosquitto();
        await using var capture = await Capture.StartAsync(mosquitto.Port);
        var work = Directory.CreateTempSubdirectory("edgetwin-it-").FullName;
        using var status = new GatewayStatus(Mosquitto.FreePort());
        var state = Path.Combine(fs.Path, "state");
        Directory.CreateDirectory(state);
        var keys = new[] { "gateway.key", "storage.key", "site-secret" }.Select(f => Path.Combine(state, f)).ToList();
        fs.Fill();
        var args = InProcessGateway.Args(state, mosquitto.Port, "--Simulation:Scenario=acute-hypoxia", "--Simulation:Speed=4", status.Url);
        var clock = Stopwatch.StartNew();
        var firstRunHead = -1L;
        using (var gateway = GatewayProcess.Start(work, args))
        {
            // It comes up with its keys in memory, samples, scores and sounds the hypoxia alarms, and says the disk is full.
            await UntilAsync(gateway, status, () => status.StorageFull, "storage full on the status page of a brand-new install");
            await UntilAsync(gateway, status, () => status.Annunciation == "high", "the hypoxia alarms sounding on a full disk");
            var alarmHead = status.Head("alarm");
            await UntilAsync(gateway, status, () => status.Head("alarm") > alarmHead + 1, "alarms chained (in memory) on a full disk");
            Assert.False(gateway.HasExited, gateway.Stderr + gateway.Stdout);
            Assert.Contains("cannot be written to", gateway.Stdout, StringComparison.Ordinal);
            Assert.All(keys, k => Assert.False(File.Exists(k), k));
            Assert.False(File.Exists(Path.Combine(state, "outbox.db")));

            // The broker is up all along, and nothing has reached it: no record, no status, no twin.
            Assert.Empty(capture.Messages);

            // Space returns: the keys go to the disk first, then the chains start (genesis) and go out.
            var fullFor = clock.Elapsed;
            fs.Unfill();
            var publishedBeforeKeys = false;
            await UntilAsync(gateway, status, () =>
            {
                publishedBeforeKeys |= !capture.Messages.IsEmpty && !keys.All(File.Exists);
                return !status.StorageFull && capture.HighestSeq("telemetry") >= 20;
            }, "storage no longer full and the chains published");
            Assert.False(publishedBeforeKeys, "a message reached the broker before the keys were on disk");
            Assert.All(keys, k => Assert.True(File.Exists(k), k));
            var head = status.Head("telemetry");
            await UntilAsync(gateway, status, () => capture.HighestSeq("telemetry") >= head && status.Drained, "everything published");
            gateway.Terminate();
            Assert.True(gateway.WaitForExit(TimeSpan.FromSeconds(40)), "graceful stop on SIGTERM");
            Assert.Equal(0, gateway.ExitCode);
            firstRunHead = capture.HighestSeq("telemetry");
            output.WriteLine($"brand-new install on a full 6 MB tmpfs: full for {fullFor.TotalSeconds:F1} s, alarm head {alarmHead} meanwhile; telemetry head {head} at the end");
        }

        // The keys on disk are the ones it used: a restart opens its stores with them and resumes the same chains.
        using (var again = GatewayProcess.Start(work, args))
        {
            var resumedAt = -1L;
            await UntilAsync(again, status, () => (resumedAt = status.Head("telemetry")) >= 0, "the restarted gateway answering");
            await UntilAsync(again, status, () => status.Head("telemetry") > resumedAt + 20 && !status.StorageFull, "the restarted gateway recording");
            var head = status.Head("telemetry");
            await UntilAsync(again, status, () => capture.HighestSeq("telemetry") >= head && status.Drained, "everything published after the restart");
            again.Terminate();
            Assert.True(again.WaitForExit(TimeSpan.FromSeconds(40)), "graceful stop on SIGTERM");
            Assert.Equal(0, again.ExitCode);
        }

        var address = Verification.GatewayAddress(state);
        var accounting = AssertEveryRecordVerifiedOrNamedByAGap(capture, address);
        Assert.Equal(0, accounting.Evicted);
        var reports = Verification.Verify(capture.AllRecords, address);
        Assert.Equal(2, reports.Count); // one epoch per lane, started at the first start and resumed after the restart
        var geneses = Verification.Kinds(capture.AllRecords, "genesis").DistinctBy(g => g.GetProperty("lane").GetString()).ToList();
        Assert.Equal(2, geneses.Count);
        Assert.All(geneses, g => Assert.Equal("first-start", g.GetProperty("body").GetProperty("reason").GetString()));
        Assert.All(geneses, g => Assert.Equal(address, g.GetProperty("body").GetProperty("key").GetString(), ignoreCase: true));

        // The site secret on disk is the one the first start's pseudonyms came from.
        var observations = Verification.Kinds(capture.Records("telemetry"), "obs");
        var before = observations.Where(o => o.GetProperty("seq").GetInt64() <= firstRunHead).Select(o => o.GetProperty("body").GetProperty("patient").GetString()).ToHashSet();
        var after = observations.Where(o => o.GetProperty("seq").GetInt64() > firstRunHead).Select(o => o.GetProperty("body").GetProperty("patient").GetString()).ToHashSet();
        Assert.NotEmpty(before);
        Assert.True(before.SetEquals(after), $"pseudonyms before the restart {string.Join(",", before)}, after {string.Join(",", after)}");
        var notKept = Assert.Single(Verification.Kinds(capture.Records("telemetry"), "event").Where(e => e.GetProperty("body").GetProperty("type").GetString() == "storage-full")
            .DistinctBy(e => e.GetProperty("seq").GetInt64()));
        Assert.True(notKept.GetProperty("body").GetProperty("obsNotKept").GetInt64() > 0, notKept.ToString());
        output.WriteLine($"{accounting.Received} records received and verified; storage-full event {notKept.GetProperty("body")}; run {clock.Elapsed.TotalSeconds:F0} s");
        Directory.Delete(work, recursive: true);
    }

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
