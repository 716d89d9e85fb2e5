namespace EdgeTwin.Gateway.Tests.Outbox;

using System.Text.Json;
using EdgeTwin.Gateway.Chains;
using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Outbox;
using EdgeTwin.Gateway.Tests.Support;
using EdgeTwin.Gateway.Uplink;
using EdgeTwin.Outbox;
using EdgeTwin.Outbox.Durability;
using EdgeTwin.Telemetry.Records;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

/// <summary>Issue 24: a full disk never stops the gateway, and what it could not keep is accounted for.</summary>
public class FullDiskTests
{
    private static readonly long EndOfLane = long.MaxValue >> 16;

    private static ObsBody Obs(int values) =>
        new("p-1", "dev-1", "loinc:8867-4", "/min", new DateTimeOffset(2026, 11, 27, 16, 0, 0, TimeSpan.Zero), 1000, [.. Enumerable.Repeat<double?>(72, values)]);

    private static AlarmBody Alarm(string state) => new("p-1", "dev-1", "high", "spo2-critical", state, "rule", 80, "SpO2 critically low");

    [Fact]
    public void Commit_OnAFullDisk_ClosesTheStore_AndTheReopenedStoreHoldsEveryEarlierCommitAndTakesTheFailedBatchOnceThereIsRoom()
    {
        using var temp = new TempDirectory();
        var files = new FullDiskFiles();
        var records = new TestRecords(Lane.Telemetry);
        using var store = OutboxStore.Open(temp.Path, files, TestStorageKey.Outbox);
        store.Commit(records.Batch(10));

        files.Full = true;
        var failed = records.Batch(5);
        var thrown = Assert.Throws<OutboxUnavailableException>(() => store.Commit(failed));
        Assert.True(StorageFaults.IsOutOfSpace(thrown));
        Assert.True(store.IsClosed);

        // The torn transaction's log pages make the reopen write (LiteDB's recovery), which fails the same way.
        Assert.False(store.TryReopen(out var error));
        Assert.True(StorageFaults.IsOutOfSpace(error));
        Assert.True(store.IsClosed);

        files.Full = false;
        Assert.True(store.TryReopen(out _));
        Assert.Equal(9, store.Heads[Lane.Telemetry].Seq);
        Assert.Equal(10, store.Read(Lane.Telemetry, 0, EndOfLane, 100).Count);

        store.Commit(failed);
        Assert.Equal(14, store.Heads[Lane.Telemetry].Seq);
        Assert.Equal(Enumerable.Range(0, 15).Select(i => (long)i), store.Read(Lane.Telemetry, 0, EndOfLane, 100).Select(r => r.Seq));
    }

    [Fact]
    public async Task CommitOnAFullDisk_GatewayStaysUp_AlarmsAreHeld_ObservationsCounted_AndStatedInAStorageFullEventWhenSpaceReturns()
    {
        using var temp = new TempDirectory();
        var files = new FullDiskFiles();
        using var h = new BookHarness(temp.Path, files: files);
        var health = new StorageHealth();
        var lifetime = new WatchedLifetime();
        var committed = new CommittedRecords();
        var space = new FixedFreeSpace(1L << 30);
        var committer = new GroupCommitter(h.Book, [committed], h.Evictor(), h.Retention, h.Ledger, health, Options.Create(h.Outbox), h.Time, h.Metrics,
            lifetime, NullLogger<GroupCommitter>.Instance, space);
        await committer.CommitNowAsync(CancellationToken.None);
        var lastDurable = h.Book.Store.Heads[Lane.Telemetry].Seq;

        files.Full = true;
        var chainedBeforeFailure = h.Book.AppendObs(Obs(5), RecordClass.Vital);
        var raised = h.Book.AppendAlarm(Alarm("raised"));
        await committer.CommitNowAsync(CancellationToken.None);

        Assert.True(health.Full);
        Assert.False(lifetime.StopRequested);
        Assert.NotNull(chainedBeforeFailure);
        Assert.Equal(lastDurable, h.Book.Store.Heads[Lane.Telemetry].Seq);
        Assert.DoesNotContain(committed.Records, r => r.Hash == raised.Hash);

        // While full: observations are counted, not chained; alarms are chained and held.
        Assert.Null(h.Book.AppendObs(Obs(3), RecordClass.Vital));
        Assert.Null(h.Book.AppendObs(Obs(4), RecordClass.Vital));
        Assert.Null(h.Book.AppendObs(Obs(250) with { Code = "mdc:131330", Unit = "mV" }, RecordClass.Waveform));
        var acknowledged = h.Book.AppendAlarm(Alarm("acknowledged"));

        // A retry that fails again (the store reopens, the commit does not fit) stays full and states nothing yet.
        h.Time.Advance(GroupCommitter.RetryInterval);
        await committer.CommitNowAsync(CancellationToken.None);
        Assert.True(health.Full);
        Assert.Null(h.Book.AppendObs(Obs(2), RecordClass.Vital));

        // The filesystem says it is (nearly) full: the store reopens (LiteDB's recovery gives back the
        // torn commit's log) but nothing is committed until there is room.
        files.Full = false;
        space.Available = 4096;
        h.Time.Advance(GroupCommitter.RetryInterval);
        await committer.CommitNowAsync(CancellationToken.None);
        Assert.True(health.Full);
        Assert.False(h.Book.Store.IsClosed);
        Assert.Equal(lastDurable, h.Book.Store.Heads[Lane.Telemetry].Seq);
        space.Available = 1L << 30;

        h.Time.Advance(GroupCommitter.RetryInterval);
        await committer.CommitNowAsync(CancellationToken.None);

        Assert.False(health.Full);
        Assert.False(lifetime.StopRequested);
        Assert.Equal(h.Book.Head(Lane.Telemetry).Seq, h.Book.Store.Heads[Lane.Telemetry].Seq);
        Assert.Equal(h.Book.Head(Lane.Alarm).Seq, h.Book.Store.Heads[Lane.Alarm].Seq);
        var alarms = h.Book.Store.Read(Lane.Alarm, 0, EndOfLane, 100);
        Assert.Contains(alarms, r => r.Hash == raised.Hash);
        Assert.Contains(alarms, r => r.Hash == acknowledged.Hash);
        Assert.Contains(committed.Records, r => r.Hash == acknowledged.Hash);

        var telemetry = h.Book.Store.Read(Lane.Telemetry, 0, EndOfLane, 1000);
        Assert.Equal(Enumerable.Range(0, telemetry.Count).Select(i => (long)i), telemetry.Select(r => r.Seq));
        Assert.Contains(telemetry, r => r.Hash == chainedBeforeFailure!.Hash);
        var statement = Assert.Single(telemetry, r => r.Kind == "event" && Records.Json(r).GetProperty("body").GetProperty("type").GetString() == "storage-full");
        var body = Records.Json(statement).GetProperty("body");
        Assert.Equal("disk-full", body.GetProperty("reason").GetString());
        Assert.Equal(4, body.GetProperty("obsNotKept").GetInt64());
        Assert.Equal(1, body.GetProperty("waveformObs").GetInt64());
        Assert.Equal(3, body.GetProperty("vitalObs").GetInt64());
        Assert.Equal(3 + 4 + 250 + 2, body.GetProperty("samplesNotKept").GetInt64());

        // Observations are chained again.
        Assert.NotNull(h.Book.AppendObs(Obs(1), RecordClass.Vital));
    }

    [Fact]
    public void UnderTheFreeSpaceFloor_OldestWaveformsAreEvictedBehindADiskSpaceGap_AndNotAgainWhileFreeSpaceHolds()
    {
        using var temp = new TempDirectory();
        using var h = new BookHarness(temp.Path, new OutboxOptions { MinFreeBytes = 3_000_000, MinFreePercent = 50 });
        var space = new FixedFreeSpace(10_000_000);
        var evictor = h.Evictor(space);
        for (var second = 0; second < 20; second++)
        {
            h.Book.AppendObs(Obs(250) with { Code = "mdc:131330", Unit = "mV" }, RecordClass.Waveform);
            h.Book.AppendObs(Obs(1), RecordClass.Vital);
            h.Time.Advance(TimeSpan.FromSeconds(1));
        }

        h.Commit();
        evictor.EvictIfOverQuota();
        Assert.Null(evictor.Ceiling);
        var held = h.Book.Store.Usage(Lane.Telemetry).Bytes;
        var sizes = h.Book.Store.Read(Lane.Telemetry, 0, EndOfLane, 1000).ToDictionary(r => r.Seq, r => (long)r.Payload.Length);

        // A quarter of what is held short of the floor: that much (and a tenth of what is held) goes, waveforms only.
        var shortfall = held / 4;
        space.Available = 3_000_000 - shortfall;
        evictor.EvictIfOverQuota();
        Assert.Equal(held - shortfall, evictor.Ceiling);
        var gaps = h.Commit().Records.Where(r => r.Kind == "gap").Select(r => Records.Json(r).GetProperty("body")).ToList();
        Assert.NotEmpty(gaps);
        Assert.All(gaps, g => Assert.Equal("disk-space", g.GetProperty("reason").GetString()));
        var evicted = gaps.Sum(g => g.GetProperty("to").GetInt64() - g.GetProperty("from").GetInt64() + 1);
        var left = h.Book.Store.Read(Lane.Telemetry, 0, EndOfLane, 1000);
        Assert.DoesNotContain(left, r => gaps.Any(g => r.Seq >= g.GetProperty("from").GetInt64() && r.Seq <= g.GetProperty("to").GetInt64()));
        Assert.All(gaps, g => Assert.All(
            Enumerable.Range((int)g.GetProperty("from").GetInt64(), (int)(g.GetProperty("to").GetInt64() - g.GetProperty("from").GetInt64() + 1)),
            seq => Assert.DoesNotContain(left, r => r.Seq == seq)));
        Assert.Contains(left, r => r.Class == RecordClass.Vital);
        var freed = gaps.Sum(g => Enumerable.Range((int)g.GetProperty("from").GetInt64(), (int)(g.GetProperty("to").GetInt64() - g.GetProperty("from").GetInt64() + 1)).Sum(seq => sizes[seq]));
        Assert.True(freed >= shortfall + (held / 10), $"freed {freed} of {held} bytes evicting {evicted} records, short {shortfall}");

        // The file does not shrink, so free space stays where it was: nothing more is evicted.
        evictor.EvictIfOverQuota();
        Assert.DoesNotContain(h.Commit().Records, r => r.Kind == "gap");

        // Someone made room: the ceiling is lifted.
        space.Available = 4_500_000;
        evictor.EvictIfOverQuota();
        Assert.Null(evictor.Ceiling);
    }

    [Fact]
    public async Task UnderTheFloor_APileOfPendingRecordsIsCommittedInTransactionsTheLogRoomAllows_EachLeavingItsOwnHead()
    {
        using var temp = new TempDirectory();
        var files = new FullDiskFiles();
        using var h = new BookHarness(temp.Path, new OutboxOptions { MinFreeBytes = 3_000_000, MinFreePercent = 50 }, files);
        var space = new FixedFreeSpace(10_000_000) { Available = 1_000_000 };
        var health = new StorageHealth();
        var commits = new CommittedRecords();
        var committer = new GroupCommitter(h.Book, [commits], h.Evictor(space), h.Retention, h.Ledger, health, Options.Create(h.Outbox), h.Time, h.Metrics,
            new WatchedLifetime(), NullLogger<GroupCommitter>.Instance, space);
        await committer.CommitNowAsync(CancellationToken.None); // genesis; the evictor measures: under the floor
        var (maxRecords, maxDeletes) = committer.Limits();
        Assert.Equal(((500_000 - GroupCommitter.CommitLogBytes) / GroupCommitter.PageLogBytes) / 2, maxRecords);
        Assert.InRange(maxDeletes, maxRecords, maxRecords + 1);

        // A slow box: 300 records pending at once. The second transaction does not fit.
        for (var i = 0; i < 300; i++)
        {
            h.Book.AppendObs(Obs(5), RecordClass.Vital);
        }

        commits.Batches.Clear();
        commits.OnEach = () => files.Full = commits.Batches.Count == 1;
        await committer.CommitNowAsync(CancellationToken.None);
        Assert.True(health.Full);
        var first = Assert.Single(commits.Batches);
        Assert.InRange(first.Count, 1, maxRecords);
        var head = h.Book.Store.Heads[Lane.Telemetry];
        Assert.Equal((first[^1].Seq, first[^1].Hash), (head.Seq, head.Hash)); // the transaction's own head, not the book's

        // Room again: the rest follows, in order, in transactions of the same bound.
        commits.OnEach = null;
        files.Full = false;
        h.Time.Advance(GroupCommitter.RetryInterval);
        await committer.CommitNowAsync(CancellationToken.None);
        await committer.CommitNowAsync(CancellationToken.None);
        Assert.False(health.Full);
        Assert.All(commits.Batches, b => Assert.InRange(b.Count, 1, maxRecords));
        Assert.Equal(h.Book.Head(Lane.Telemetry).Seq, h.Book.Store.Heads[Lane.Telemetry].Seq);

        // Every seq is held or named by a disk-space gap (the evictor made room as they came; some deletions still wait).
        var telemetry = h.Book.Store.Read(Lane.Telemetry, 0, EndOfLane, 1000);
        var named = telemetry.Where(r => r.Kind == "gap").Select(r => Records.Json(r).GetProperty("body"))
            .SelectMany(g => Enumerable.Range((int)g.GetProperty("from").GetInt64(), (int)(g.GetProperty("to").GetInt64() - g.GetProperty("from").GetInt64() + 1)));
        Assert.Equal(Enumerable.Range(0, (int)h.Book.Head(Lane.Telemetry).Seq + 1), telemetry.Select(r => (int)r.Seq).Union(named).Order());
        Assert.True(h.Book.Head(Lane.Telemetry).Seq > 300);
    }

    [Fact]
    public async Task ACommitThatFailsForLackOfSpace_ReleasesTheReserve_WhenTheOutboxHasTelemetryToEvict_AndTakesRecordsAgainAtOnce()
    {
        using var temp = new TempDirectory();
        using var rig = await ReserveRig.StartAsync(temp);
        var (h, files, space, reserve, health, committer) = (rig.H, rig.Files, rig.Space, rig.Reserve, rig.Health, rig.Committer);
        Assert.Equal(750_000, new FileInfo(reserve.Path).Length);
        for (var second = 0; second < 1000; second++)
        {
            h.Book.AppendObs(Obs(250) with { Code = "mdc:131330", Unit = "mV" }, RecordClass.Waveform);
        }

        await committer.CommitNowAsync(CancellationToken.None);
        Assert.True(h.Book.Store.Usage(Lane.Telemetry).Bytes > reserve.HeldBytes);

        // The disk is full but for the reserve's room.
        space.Available = 4096;
        files.FullWhile = () => File.Exists(reserve.Path);
        h.Book.AppendObs(Obs(3), RecordClass.Vital);
        var alarm = h.Book.AppendAlarm(Alarm("raised"));
        await committer.CommitNowAsync(CancellationToken.None);
        Assert.True(health.Full);
        Assert.Equal(0, reserve.HeldBytes);
        Assert.False(File.Exists(reserve.Path));
        Assert.Equal(1, reserve.Releases);

        // Tried again at once, not a retry interval later: the room is there now.
        space.Available = 750_000;
        await committer.CommitNowAsync(CancellationToken.None);
        Assert.False(health.Full);
        Assert.Equal(1, health.Episodes);
        Assert.Contains(h.Book.Store.Read(Lane.Alarm, 0, EndOfLane, 100), r => r.Hash == alarm.Hash);

        // Not made again while free space stays under the floor (the evictor's gaps go with the next commit); made again once it is back above.
        await committer.CommitNowAsync(CancellationToken.None);
        Assert.Equal(h.Book.Head(Lane.Telemetry).Seq, h.Book.Store.Heads[Lane.Telemetry].Seq);
        Assert.Equal(0, reserve.HeldBytes);
        space.Available = 3_500_000;
        h.Book.AppendObs(Obs(3), RecordClass.Vital);
        await committer.CommitNowAsync(CancellationToken.None);
        Assert.Equal(750_000, reserve.HeldBytes);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AfterTheReserveIsReleased_APileOfRecordsGoesInBehindEvictions_AndTheOutboxDoesNotFillTheDiskAgainByItself(bool underTheFloorBefore)
    {
        // A 6 MB filesystem (floor 2.5 MB, reserve 625,000 bytes) whose every byte the outbox's files
        // take is counted: a simulated ward records (under the floor, or still above it) until another
        // process takes the last block, while the box was stalled and has a pile of records to commit.
        using var temp = new TempDirectory();
        using var rig = new SixMegabyteDisk(temp);
        var (disk, h, reserve, evictor, health) = (rig.Disk, rig.H, rig.Reserve, rig.Evictor, rig.Health);
        var committer = rig.Committer();
        async Task Second(int seconds = 1)
        {
            for (var s = 0; s < seconds; s++)
            {
                Ward(h.Book);
            }

            await committer.CommitNowAsync(CancellationToken.None);
            h.Time.Advance(TimeSpan.FromSeconds(1));
        }

        for (var s = 0; s < 200 && (underTheFloorBefore ? evictor.Ceiling is null || s < 5 : s < 15); s++)
        {
            await Second();
        }

        Assert.Equal(underTheFloorBefore, evictor.Ceiling is not null);
        Assert.True(h.Book.Store.Usage(Lane.Telemetry).Bytes > reserve.HeldBytes, "telemetry to evict");
        Assert.False(health.Full);
        Assert.Equal(625_000, reserve.HeldBytes);

        disk.Fill();
        await Second(seconds: 8); // the pile of a stalled box meets the full disk: the reserve is released
        Assert.Equal(1, reserve.Releases);
        Assert.Equal(1, health.Episodes);
        var outboxAtRelease = disk.SizeOf(OutboxStore.DataFileName);
        var headAtRelease = h.Book.Store.Heads[Lane.Telemetry].Seq;

        // Nobody frees anything: the outbox goes on within its own files, the pile and what follows
        // behind disk-space gaps, and the released room stays free for the write-ahead logs.
        var leastFree = long.MaxValue;
        for (var s = 0; s < 20; s++)
        {
            await Second();
            leastFree = Math.Min(leastFree, disk.Available);
        }

        Assert.False(health.Full, $"full again: {disk.Available} bytes free, outbox.db {disk.SizeOf(OutboxStore.DataFileName)} bytes (at the release {outboxAtRelease})");
        Assert.Equal(1, health.Episodes);
        Assert.True(h.Book.Store.Heads[Lane.Telemetry].Seq >= headAtRelease + (20 * 16 * 8), "20 s of the ward recorded after the release");
        Assert.True(leastFree >= 300_000, $"least free after the release {leastFree} bytes; outbox.db {disk.SizeOf(OutboxStore.DataFileName)} bytes (at the release {outboxAtRelease})");
    }

    /// <summary>
    /// The whole-system full-disk test's accounting (every seq received or named by a gap) kept over
    /// three seeded random courses of the same parts: a 16-bed ward on a 6 MB disk under a 2.5 MB floor, the
    /// real group committer, evictor, ledger, reserve and publish queue, an uplink that comes and goes
    /// and acknowledges what it publishes (receipts off), stalls that pile records up, and another
    /// process filling the disk and freeing it. A failure is replayed exactly by its seed. (It does not
    /// reach a backlog read while the store is closed: PublishQueueTests cover that.)
    /// </summary>
    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(3, true)]
    public async Task RandomCourse_FullDisksStallsAndOutages_EverySeqIsPublishedOrNamedByAGap_AndNoGapNamesAPublishedRecordAsUnsent(int seed, bool torn)
    {
        var random = new Random(seed);
        using var temp = new TempDirectory();
        using var rig = new SixMegabyteDisk(temp);
        rig.Disk.Torn = torn;
        var (disk, h, health) = (rig.Disk, rig.H, rig.Health);
        var queue = new PublishQueue(h.Book.Store, h.Ledger, backlogShare: 0.5);
        var committer = rig.Committer(new Live(queue));
        var uplink = new Uplink(queue, h);
        var course = new List<string>();

        for (var second = 0; second < 240; second++)
        {
            var roll = random.Next(100);
            if (random.Next(100) < 2)
            {
                // An alarm: its commit is urgent and cuts a long commit's deletions short.
                h.Book.AppendAlarm(new AlarmBody("p-1", "dev-1", "high", "spo2-critical", "raised", "rule", 80, "SpO2 critically low"));
            }

            // Odd seeds: the uplink comes and goes; even seeds: down until the end, as in the whole-system test.
            if (roll < 3 && seed % 2 == 1)
            {
                uplink.Connected = !uplink.Connected;
                course.Add($"{second}: uplink {(uplink.Connected ? "up" : "down")}");
            }
            else if (roll < 5 && second > 60)
            {
                // To the last block, or a block or two short of it (a write that needs two is cut short on a torn disk).
                disk.Fill();
                disk.Taken -= random.Next(3) * 4096;
                course.Add($"{second}: disk filled, {disk.Available} bytes left");
            }
            else if (roll < 8 && disk.Taken > 0)
            {
                disk.Taken = random.Next(2) == 0 ? 0 : disk.Taken / 2;
                course.Add($"{second}: disk freed to {disk.Taken} taken");
            }

            // A stall: the box did not commit for a few seconds and has their records to commit at once.
            var seconds = random.Next(100) < 5 ? random.Next(2, 6) : 1;
            for (var s = 0; s < seconds; s++)
            {
                Ward(h.Book);
            }

            await committer.CommitNowAsync(CancellationToken.None);
            uplink.Publish(random.Next(0, 400));
            h.Time.Advance(TimeSpan.FromSeconds(1));
        }

        // Space and the uplink come back; the backlog drains.
        disk.Taken = 0;
        uplink.Connected = true;
        for (var s = 0; s < 600 && (uplink.Publish(5000) > 0 || h.Book.PendingCount > 0 || !queue.IsEmpty); s++)
        {
            h.Time.Advance(TimeSpan.FromSeconds(1));
            await committer.CommitNowAsync(CancellationToken.None);
        }

        Assert.False(health.Full, string.Join("\n", course));
        var head = h.Book.Head(Lane.Telemetry).Seq;
        var named = new Dictionary<long, string>();
        foreach (var (seq, payload) in uplink.Received.Where(r => r.Value.Kind == RecordKinds.Gap).Select(r => (r.Key, r.Value.Payload)))
        {
            var body = JsonDocument.Parse(payload).RootElement.GetProperty("body");
            var reason = body.GetProperty("reason").GetString()!;
            for (var s = body.GetProperty("from").GetInt64(); s <= body.GetProperty("to").GetInt64(); s++)
            {
                Assert.True(named.TryAdd(s, reason), $"seq {s} named by two gaps\n{string.Join("\n", course)}");
            }
        }

        var unaccounted = Enumerable.Range(0, (int)head + 1).Select(s => (long)s).Where(s => !uplink.Received.ContainsKey(s) && !named.ContainsKey(s)).ToList();
        var lies = named.Where(n => !n.Value.EndsWith(Evictor.UnreceiptedSuffix, StringComparison.Ordinal) && uplink.Received.ContainsKey(n.Key)).Select(n => n.Key).Order().ToList();
        Assert.True(unaccounted.Count == 0, $"seed {seed}: {unaccounted.Count} seqs of {head + 1} neither published nor named by a gap: {Ranges(unaccounted)}; " +
            $"still stored: {Ranges([.. unaccounted.Where(s => h.Book.Store.Read(Lane.Telemetry, s, s, 1).Count == 1)])}; withheld {h.Ledger.Withheld}\n{string.Join("\n", course)}");
        Assert.True(lies.Count == 0, $"seed {seed}: published records named by a gap as dropped unsent: {Ranges(lies)}\n{string.Join("\n", course)}");
        Assert.True(named.Count > 0, "the course evicted nothing: it did not test what it is for");
        Assert.True(health.Episodes > 0, "the disk never filled: the course did not test what it is for");
        Assert.True(!torn || disk.TornWrites > 0, "no write was cut short: the course did not test what it is for");
    }

    private static string Ranges(IReadOnlyList<long> seqs)
    {
        var parts = new List<string>();
        for (var i = 0; i < seqs.Count && parts.Count < 20;)
        {
            var j = i;
            while (j + 1 < seqs.Count && seqs[j + 1] == seqs[j] + 1)
            {
                j++;
            }

            parts.Add(i == j ? $"{seqs[i]}" : $"{seqs[i]}-{seqs[j]}");
            i = j + 1;
        }

        return string.Join(",", parts);
    }

    /// <summary>A second of a simulated 16-bed ward: per bed an ECG (250 samples) and a pleth (125) record and six vitals.</summary>
    private static void Ward(ChainBook book)
    {
        for (var bed = 0; bed < 16; bed++)
        {
            book.AppendObs(Obs(250) with { Code = "mdc:131330", Unit = "mV" }, RecordClass.Waveform);
            book.AppendObs(Obs(125) with { Code = "mdc:150452", Unit = "1" }, RecordClass.Waveform);
            for (var vital = 0; vital < 6; vital++)
            {
                book.AppendObs(Obs(1), RecordClass.Vital);
            }
        }
    }

    [Fact]
    public async Task AFullDisk_WithLessTelemetryHeldThanTheReserve_KeepsTheReserve_AndWaitsForSpace()
    {
        using var temp = new TempDirectory();
        using var rig = await ReserveRig.StartAsync(temp);
        var (h, files, space, reserve, health, committer) = (rig.H, rig.Files, rig.Space, rig.Reserve, rig.Health, rig.Committer);

        // Another process took the rest; evicting the few records held could not make room for long.
        space.Available = 0;
        files.Full = true;
        h.Book.AppendObs(Obs(3), RecordClass.Vital);
        await committer.CommitNowAsync(CancellationToken.None);
        h.Time.Advance(GroupCommitter.RetryInterval);
        await committer.CommitNowAsync(CancellationToken.None);
        Assert.True(health.Full);
        Assert.Equal(750_000, reserve.HeldBytes);
        Assert.Equal(0, reserve.Releases);
    }

    [Fact]
    public void TheReserveCountsAsFreeSpace_SoMakingItSetsNoCeiling_AndReleasingItMovesNothing()
    {
        using var temp = new TempDirectory();
        using var h = new BookHarness(temp.Path, new OutboxOptions { MinFreeBytes = 3_000_000, MinFreePercent = 50 });
        var space = new FixedFreeSpace(10_000_000);
        var reserve = h.Reserve(space);
        var evictor = h.Evictor(space, reserve);
        h.Commit();
        reserve.MakeIfRoom();
        Assert.Equal(750_000, reserve.HeldBytes);

        // The filesystem as it is with the reserve made just above the floor: counted with it, not under.
        space.Available = 3_000_000 - 750_000 + 10_000;
        evictor.EvictIfOverQuota();
        Assert.Null(evictor.Ceiling);
        Assert.False(new OutboxOptions { MinFreeBytes = 3_000_000, MinFreePercent = 50 }.FloorBytes(10_000_000) <= space.Available);

        // Released, its room is free space as it was counted before.
        Assert.True(reserve.Release("test"));
        space.Available += 750_000;
        evictor.EvictIfOverQuota();
        Assert.Null(evictor.Ceiling);
    }

    [Fact]
    public void FilesystemFreeSpace_MeasuresTheDataDirectorysFilesystem()
    {
        using var temp = new TempDirectory();
        var space = FilesystemFreeSpace.Instance.Measure(temp.Path);
        Assert.NotNull(space);
        Assert.InRange(space.Value.Available, 1, space.Value.Total);
    }

    [Fact]
    public void FloorBytes_IsTheSmallerOfTheBytesAndThePercentOfTheFilesystem_ButAtLeastTwoMebibytes_AndZeroTurnsItOff()
    {
        var options = new OutboxOptions();
        Assert.Equal(256L << 20, options.FloorBytes(32L << 30));
        Assert.Equal(100_000_000, options.FloorBytes(2_000_000_000));
        Assert.Equal(2L << 20, options.FloorBytes(6_000_000));
        Assert.Equal(0, new OutboxOptions { MinFreeBytes = 0 }.FloorBytes(32L << 30));
    }

    /// <summary>A committer on a disk that can be made full, with a storage reserve, under a 3 MB floor of a 10 MB filesystem.</summary>
    private sealed class ReserveRig : IDisposable
    {
        private ReserveRig(TempDirectory temp)
        {
            H = new BookHarness(temp.Path, new OutboxOptions { MinFreeBytes = 3_000_000, MinFreePercent = 50 }, Files);
            Reserve = H.Reserve(Space);
            Committer = new GroupCommitter(H.Book, [], H.Evictor(Space, Reserve), H.Retention, H.Ledger, Health, Options.Create(H.Outbox), H.Time, H.Metrics,
                new WatchedLifetime(), NullLogger<GroupCommitter>.Instance, Space, Reserve);
        }

        public FullDiskFiles Files { get; } = new();

        public FixedFreeSpace Space { get; } = new(10_000_000);

        public StorageHealth Health { get; } = new();

        public BookHarness H { get; }

        public StorageReserve Reserve { get; }

        public GroupCommitter Committer { get; }

        /// <summary>The rig after its first commit: the reserve is made (a quarter of the floor) while the filesystem is above the floor.</summary>
        public static async Task<ReserveRig> StartAsync(TempDirectory temp)
        {
            var rig = new ReserveRig(temp);
            await rig.Committer.CommitNowAsync(CancellationToken.None);
            Assert.Equal(750_000, rig.Reserve.HeldBytes);
            return rig;
        }

        public void Dispose() => H.Dispose();
    }

    private sealed class CommittedRecords : EdgeTwin.Gateway.Chains.ICommitListener
    {
        public List<StoredRecord> Records { get; } = [];

        /// <summary>The records of each commit, in order.</summary>
        public List<List<StoredRecord>> Batches { get; } = [];

        /// <summary>Runs after each commit is noted (the test's hand on the disk).</summary>
        public Action? OnEach { get; set; }

        public void OnCommitted(IReadOnlyList<StoredRecord> records)
        {
            Records.AddRange(records);
            Batches.Add([.. records]);
            OnEach?.Invoke();
        }
    }

    /// <summary>
    /// A 6 MB filesystem whose every byte the outbox's files take is counted, under a 2.5 MB floor
    /// (reserve 625,000 bytes): the book, its reserve, evictor and storage health.
    /// </summary>
    private sealed class SixMegabyteDisk : IDisposable
    {
        public SixMegabyteDisk(TempDirectory temp)
        {
            Disk = new SmallDisk(temp.Path, 6_000_000);
            H = new BookHarness(temp.Path, new OutboxOptions { MinFreeBytes = 2_500_000, MinFreePercent = 50 }, Disk);
            Reserve = H.Reserve(Disk);
            Evictor = H.Evictor(Disk, Reserve);
        }

        public SmallDisk Disk { get; }

        public BookHarness H { get; }

        public StorageReserve Reserve { get; }

        public Evictor Evictor { get; }

        public StorageHealth Health { get; } = new();

        /// <summary>The group committer of this book, telling <paramref name="listeners"/> what each commit wrote.</summary>
        public GroupCommitter Committer(params ICommitListener[] listeners) =>
            new(H.Book, listeners, Evictor, H.Retention, H.Ledger, Health, Options.Create(H.Outbox), H.Time, H.Metrics,
                new WatchedLifetime(), NullLogger<GroupCommitter>.Instance, Disk, Reserve);

        public void Dispose() => H.Dispose();
    }

    /// <summary>What the uplink does with each commit: the records go to the live queue.</summary>
    private sealed class Live(PublishQueue queue) : ICommitListener
    {
        public void OnCommitted(IReadOnlyList<StoredRecord> records) => queue.AddLive(records, 0);
    }

    /// <summary>
    /// The uplink without MQTT: a new connection rebuilds the queue from the store; each record the
    /// queue hands out reaches the cloud (kept in <see cref="Received"/>) and is acknowledged, receipts off.
    /// </summary>
    private sealed class Uplink(PublishQueue queue, BookHarness h)
    {
        private bool _connected;

        public Dictionary<long, StoredRecord> Received { get; } = [];

        public bool Connected
        {
            get => _connected;
            set
            {
                if (value && !_connected)
                {
                    queue.Reset();
                }

                _connected = value;
            }
        }

        /// <summary>Publishes up to <paramref name="max"/> records; returns how many went out.</summary>
        public int Publish(int max) => !_connected ? 0 : queue.Drain(max, record =>
        {
            if (record.Lane == Lane.Telemetry)
            {
                Received.TryAdd(record.Seq, record);
            }

            h.Ledger.Acknowledged(record.Lane, record.Seq);
            h.Retention.Delete(record.Lane, record.Seq, record.Payload.Length);
        }).Count;
    }
}
