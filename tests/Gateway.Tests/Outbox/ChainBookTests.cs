namespace EdgeTwin.Gateway.Tests.Outbox;

using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Tests.Support;
using EdgeTwin.Outbox;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Verification;

public class ChainBookTests
{
    private static ObsBody Obs(int values) =>
        new("p-1", "dev-1", "loinc:8867-4", "/min", new DateTimeOffset(2026, 11, 27, 16, 0, 0, TimeSpan.Zero), 1000, [.. Enumerable.Repeat<double?>(72, values)]);

    [Fact]
    public void FirstStart_GenesisOnBothLanes_ThenResumeContinuesSameEpoch()
    {
        using var temp = new TempDirectory();
        string epoch;
        long head;
        using (var h = new BookHarness(temp.Path))
        {
            var first = h.Commit();
            // The alarm lane signs at once, even its genesis.
            Assert.Equal(["genesis", "genesis", "checkpoint"], first.Records.Select(r => r.Kind));
            Assert.Contains("first-start", System.Text.Encoding.UTF8.GetString(first.Records[0].Payload), StringComparison.Ordinal);
            h.Book.AppendObs(Obs(1), RecordClass.Vital);
            h.Commit();
            epoch = h.Book.Head(Lane.Telemetry).Epoch;
            head = h.Book.Head(Lane.Telemetry).Seq;
        }

        using var again = new BookHarness(temp.Path);
        Assert.Equal(epoch, again.Book.Head(Lane.Telemetry).Epoch);
        Assert.Equal(head, again.Book.Head(Lane.Telemetry).Seq);
        var next = again.Book.AppendObs(Obs(1), RecordClass.Vital);
        Assert.Equal(head + 1, next!.Seq);
    }

    /// <summary>
    /// Issue 15's "produced" side: the lane's chained counts are written with the records they count.
    /// Cut the power at every fsync of a run of commits (runs of 1..12 samples) and open each image as
    /// a restart would: the counts always equal the obs records and the samples of their bodies' "v"
    /// arrays that the chain there holds, through its head, never a commit ahead or behind.
    /// </summary>
    [Fact]
    public void ChainedCounts_AtEveryPowerCut_EqualTheObsRecordsAndSamplesTheChainHolds()
    {
        using var temp = new TempDirectory();
        var files = new PowerCutFiles();
        var cuts = new List<string>();
        string password;
        using (var h = new BookHarness(temp.Sub("live"), files: files))
        {
            // From the first commit on (creating the store is the open's business, tested there).
            files.AfterSync = n =>
            {
                var dir = temp.Sub($"cut-{n}");
                files.CutPower(dir);
                cuts.Add(dir);
            };
            password = h.StorageKey.PasswordFor("outbox");
            h.Commit();
            for (var i = 1; i <= 12; i++)
            {
                for (var j = 0; j <= i % 4; j++)
                {
                    h.Book.AppendObs(Obs(i), RecordClass.Vital);
                }

                h.Commit();
            }
        }

        files.AfterSync = null;
        var heads = new HashSet<long>();
        foreach (var dir in cuts.Where(d => new FileInfo(Path.Combine(d, OutboxStore.DataFileName)).Length > 0))
        {
            using var store = OutboxStore.Open(dir, EdgeTwin.Outbox.Durability.SyncedOutboxFiles.Instance, password);
            if (!store.Heads.TryGetValue(Lane.Telemetry, out var head))
            {
                Assert.Null(store.Counts(Lane.Telemetry));
                continue;
            }

            var obs = store.Read(Lane.Telemetry, 0, head.Seq, 100_000).Where(r => r.Kind == "obs").ToList();
            var counts = store.Counts(Lane.Telemetry)!.Value;
            Assert.Equal((head.Epoch, 0L, head.Seq), (counts.Epoch, counts.FromSeq, counts.ThroughSeq));
            Assert.Equal((obs.Count, obs.Sum(r => (long)Records.Json(r).GetProperty("body").GetProperty("v").GetArrayLength())), (counts.ObsRecords, counts.Samples));
            heads.Add(head.Seq);
        }

        // The cuts fell between many different commits, the last with every run: 12 commits of 1..4 runs.
        Assert.True(heads.Count >= 12, $"cuts saw {heads.Count} heads");
    }

    [Fact]
    public void TakeBatch_WithALimit_TakesTheAlarmLaneFirst_EachLaneInSeqOrder_WithTheHeadsWhatItTookLeadsTo_AndRequeuePutsThemBack()
    {
        using var temp = new TempDirectory();
        using var h = new BookHarness(temp.Path);
        h.Commit();
        var telemetry = Enumerable.Range(0, 10).Select(_ => h.Book.AppendObs(Obs(1), RecordClass.Vital)!).ToList();
        var alarm = h.Book.AppendAlarm(new AlarmBody("p-1", "dev-1", "high", "hr-high", "raised", "rule", 150, "HR high"));

        var first = h.Book.TakeBatch(out var urgent, maxRecords: 5);
        Assert.True(urgent);
        Assert.Equal(Lane.Alarm, first.Records[0].Lane);
        Assert.Equal(alarm.Hash, first.Records[0].Hash);
        var taken = first.Records.Where(r => r.Lane == Lane.Telemetry).ToList();
        Assert.Equal(telemetry.Take(taken.Count).Select(r => r.Seq), taken.Select(r => r.Seq));
        Assert.Equal(5, first.Records.Count);
        Assert.Equal((taken[^1].Seq, taken[^1].Hash), (first.Heads[Lane.Telemetry].Seq, first.Heads[Lane.Telemetry].Hash));
        Assert.Equal(first.Records.Last(r => r.Lane == Lane.Alarm).Seq, first.Heads[Lane.Alarm].Seq);

        // A failed commit puts them back ahead of the rest, with the same heads.
        h.Book.Requeue(first);
        var again = h.Book.TakeBatch(out _, maxRecords: 5);
        Assert.Equal(first.Records.Select(r => r.Hash), again.Records.Select(r => r.Hash));
        Assert.Equal(first.Heads[Lane.Telemetry], again.Heads[Lane.Telemetry]);
        h.Book.Store.Commit(again);
        Assert.Equal(first.Heads[Lane.Telemetry], h.Book.Store.Heads[Lane.Telemetry]);

        var rest = h.Book.TakeBatch(out var urgentRest);
        Assert.False(urgentRest);
        Assert.Equal(telemetry.Skip(taken.Count).Select(r => r.Seq), rest.Records.Where(r => r.Kind == "obs").Select(r => r.Seq));
        Assert.Equal(h.Book.Head(Lane.Telemetry), rest.Heads[Lane.Telemetry]);
    }

    [Fact]
    public void ManyAppendsBetweenGroupCommits_NeverLeaveMoreThanMaxRecordsUnsigned()
    {
        // PROTOCOL §5: a checkpoint follows at most N records, however many arrive within one group commit.
        using var temp = new TempDirectory();
        using var h = new BookHarness(temp.Path, new OutboxOptions { CheckpointMaxRecords = 8, CheckpointMaxDelay = TimeSpan.FromHours(1) });
        h.Commit();
        for (var i = 0; i < 50; i++)
        {
            h.Book.AppendObs(Obs(1), RecordClass.Vital);
        }

        var kinds = h.Commit().Records.Where(r => r.Lane == Lane.Telemetry).Select(r => r.Kind).ToList();
        var run = 0;
        var longest = 0;
        foreach (var kind in kinds)
        {
            run = kind == "checkpoint" ? 0 : run + 1;
            longest = Math.Max(longest, run);
        }

        Assert.True(longest <= 8, $"{longest} records in a row without a checkpoint");
        Assert.Equal(50 / 8, kinds.Count(k => k == "checkpoint"));
    }

    [Fact]
    public void CorruptStore_NewEpochStoreCorrupt_AndEventRecord()
    {
        using var temp = new TempDirectory();
        string oldEpoch;
        using (var h = new BookHarness(temp.Path))
        {
            h.Commit();
            oldEpoch = h.Book.Head(Lane.Telemetry).Epoch;
        }

        var path = Path.Combine(temp.Path, OutboxStore.DataFileName);
        var bytes = File.ReadAllBytes(path);
        Array.Fill(bytes, (byte)0xA5, 0, 8192);
        File.WriteAllBytes(path, bytes);

        using var again = new BookHarness(temp.Path);
        Assert.NotNull(again.Book.Quarantined);
        Assert.Equal(bytes, File.ReadAllBytes(again.Book.Quarantined!));
        Assert.NotEqual(oldEpoch, again.Book.Head(Lane.Telemetry).Epoch);
        var batch = again.Commit();
        var texts = batch.Records.Select(r => System.Text.Encoding.UTF8.GetString(r.Payload)).ToList();
        Assert.Contains(texts, t => t.Contains("\"reason\":\"store-corrupt\"", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("\"type\":\"store-quarantined\"", StringComparison.Ordinal));
    }

    [Fact]
    public void StoreLost_KeyKeptButStoreGone_GenesisSaysStoreLost()
    {
        using var temp = new TempDirectory();
        using (var h = new BookHarness(temp.Path))
        {
            h.Commit();
        }

        File.Delete(Path.Combine(temp.Path, OutboxStore.DataFileName));
        File.Delete(Path.Combine(temp.Path, OutboxStore.LogFileName));
        using var again = new BookHarness(temp.Path);
        var batch = again.Commit();
        Assert.Contains("\"reason\":\"store-lost\"", System.Text.Encoding.UTF8.GetString(batch.Records[0].Payload), StringComparison.Ordinal);
    }

    [Fact]
    public void AnotherKeyUnderTheOutbox_RefusesToResume_NamingBothKeys_AndWritesNothing()
    {
        using var temp = new TempDirectory();
        using (var h = new BookHarness(temp.Path))
        {
            h.Commit();
        }

        var outbox = File.ReadAllBytes(Path.Combine(temp.Path, OutboxStore.DataFileName));
        var keyPath = Path.Combine(temp.Path, "gateway.key");
        File.Delete(keyPath);
        using var other = EdgeTwin.Telemetry.Signing.GatewayKey.Generate();
        other.SaveToFile(keyPath);
        using var original = EdgeTwin.Telemetry.Signing.GatewayKey.FromPrivateKeyHex(BookHarness.KeyHex);

        var ex = Assert.Throws<StartupException>(() => new BookHarness(temp.Path));
        Assert.Contains($"is signed by {original.Address}, but the gateway key ({other.Address}) is another", ex.Message, StringComparison.Ordinal);
        Assert.Equal(outbox, File.ReadAllBytes(Path.Combine(temp.Path, OutboxStore.DataFileName)));
    }

    [Fact]
    public void AppendAlarm_MarksTheBookUrgent_UntilTheNextBatchIsTaken()
    {
        using var temp = new TempDirectory();
        using var h = new BookHarness(temp.Path);
        h.Commit();
        h.Book.AppendObs(Obs(1), RecordClass.Vital);
        Assert.False(h.Book.UrgentPending);

        h.Book.AppendAlarm(new AlarmBody("p-1", "dev-1", "high", "hr-high", "raised", "rule", 150, "HR high"));
        Assert.True(h.Book.UrgentPending);

        h.Book.TakeBatch(out var urgent);
        Assert.True(urgent);
        Assert.False(h.Book.UrgentPending);
    }

    [Fact]
    public void OverQuota_DeletionsSpreadOverCommits_NoRecordGappedTwice()
    {
        using var temp = new TempDirectory();
        using var h = new BookHarness(temp.Path, new OutboxOptions { TelemetryQuotaBytes = 64 * 1024 });
        var evictor = h.Evictor();
        var gaps = new List<(long From, long To)>();
        for (var second = 0; second < 40; second++)
        {
            h.Book.AppendObs(Obs(250) with { Code = "mdc:131330", Unit = "mV" }, RecordClass.Waveform);
            h.Book.AppendObs(Obs(250) with { Code = "mdc:131330", Unit = "mV" }, RecordClass.Waveform);
            h.Time.Advance(TimeSpan.FromSeconds(1));

            // Deletions trail behind (a drain's deletions are capped per commit), and the evictor runs after every commit.
            foreach (var r in h.Commit(deleteBudget: 3).Records.Where(r => Records.Kind(r.Payload) == "gap"))
            {
                using var body = System.Text.Json.JsonDocument.Parse(r.Payload);
                var gap = body.RootElement.GetProperty("body");
                gaps.Add((gap.GetProperty("from").GetInt64(), gap.GetProperty("to").GetInt64()));
            }

            evictor.EvictIfOverQuota();
            evictor.EvictIfOverQuota();
        }

        Assert.NotEmpty(gaps);
        var covered = gaps.SelectMany(g => Enumerable.Range((int)g.From, (int)(g.To - g.From + 1))).ToList();
        Assert.Equal(covered.Count, covered.Distinct().Count());
    }

    [Fact]
    public void OverQuota_WaveformsEvictedFirstBehindGap_AlarmsKept_StreamStillVerifies()
    {
        using var temp = new TempDirectory();
        using var h = new BookHarness(temp.Path, new OutboxOptions { TelemetryQuotaBytes = 64 * 1024 });
        var evictor = h.Evictor();
        var published = new List<byte[]>();
        for (var second = 0; second < 40; second++)
        {
            h.Book.AppendObs(Obs(250) with { Code = "mdc:131330", Unit = "mV" }, RecordClass.Waveform);
            h.Book.AppendObs(Obs(250) with { Code = "mdc:131330", Unit = "mV" }, RecordClass.Waveform);
            h.Book.AppendObs(Obs(1), RecordClass.Vital);
            if (second % 10 == 0)
            {
                h.Book.AppendAlarm(new AlarmBody("p-1", "dev-1", "high", "hr-high", "raised", "rule", 150, "HR high"));
            }

            h.Time.Advance(TimeSpan.FromSeconds(1));
            published.AddRange(h.Commit().Records.Select(r => r.Payload));
            evictor.EvictIfOverQuota();
        }

        h.Book.CheckpointAll();
        published.AddRange(h.Commit().Records.Select(r => r.Payload));

        Assert.InRange(h.Book.Store.Usage(Lane.Telemetry).Bytes, 1, 64 * 1024 * 11 / 10);
        Assert.Equal(4 + 5, h.Book.Store.Usage(Lane.Alarm).Records); // genesis, 4 alarms, their checkpoints
        var stored = h.Book.Store.Read(Lane.Telemetry, 0, long.MaxValue >> 16, 100_000);
        // Waveforms went first: every vital is still there.
        Assert.Equal(40, stored.Count(r => r.Class == RecordClass.Vital));
        Assert.Contains(published, p => Records.Kind(p) == "gap");

        // What is still stored plus the gap statements verify as a sound chain (deleted records are stated, not missing silently).
        var verifier = new StreamVerifier(new VerifierOptions());
        foreach (var r in stored)
        {
            verifier.Add(r.Payload);
        }

        var report = verifier.Report().Single(c => c.Chain.Lane == Lane.Telemetry);
        Assert.True(report.Sound, string.Join("; ", report.Problems));
        Assert.True(report.GapCovered > 0);
        Assert.Equal(0, report.Missing);
    }
}
