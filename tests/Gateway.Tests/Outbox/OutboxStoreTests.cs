namespace EdgeTwin.Gateway.Tests.Outbox;

using EdgeTwin.Gateway.Storage;
using EdgeTwin.Gateway.Tests.Support;
using EdgeTwin.Outbox;
using EdgeTwin.Outbox.Durability;
using EdgeTwin.Telemetry.Records;

public class OutboxStoreTests
{
    [Fact]
    public void Commit_ThenPowerCut_EveryCommittedRecordAndHeadSurvive()
    {
        using var temp = new TempDirectory();
        var files = new PowerCutFiles();
        var records = new TestRecords(Lane.Telemetry);
        using (var store = OutboxStore.Open(temp.Sub("live"), files, TestStorageKey.Outbox))
        {
            for (var i = 0; i < 30; i++)
            {
                store.Commit(records.Batch(7));
            }

            // Cut the power while the store is still open: only fsynced bytes count.
            files.CutPower(temp.Sub("after-cut"));
        }

        using var reopened = OutboxStore.Open(temp.Sub("after-cut"), SyncedOutboxFiles.Instance, TestStorageKey.Outbox);
        Assert.Equal(209, reopened.Heads[Lane.Telemetry].Seq);
        var all = reopened.Read(Lane.Telemetry, 0, long.MaxValue >> 16, 10_000);
        Assert.Equal(210, all.Count);
        Assert.Equal(Enumerable.Range(0, 210).Select(i => (long)i), all.Select(r => r.Seq));
        for (var i = 1; i < all.Count; i++)
        {
            Assert.Equal(all[i - 1].Hash, all[i].Prev);
        }

        Assert.Equal(new LaneUsage(210, all.Sum(r => (long)r.Payload.Length)), reopened.Usage(Lane.Telemetry));
    }

    [Fact]
    public void ChainedCounts_SurviveReceiptsAndReopen_AndANewEpochCountsFromItsGenesis()
    {
        using var temp = new TempDirectory();
        var records = new TestRecords(Lane.Telemetry);
        using (var store = OutboxStore.Open(temp.Path, SyncedOutboxFiles.Instance, TestStorageKey.Outbox))
        {
            store.Commit(records.Batch(10));
            var receipt = new OutboxBatch();
            receipt.DeleteThrough[Lane.Telemetry] = 9;
            store.Commit(receipt);
            store.Commit(records.Batch(5));
            Assert.Null(store.Counts(Lane.Alarm));
        }

        using (var reopened = OutboxStore.Open(temp.Path, SyncedOutboxFiles.Instance, TestStorageKey.Outbox))
        {
            // Delivered and deleted records stay counted: the count is what was chained.
            var samples = Enumerable.Range(0, 15).Sum(seq => (long)TestRecords.Samples(seq));
            Assert.Equal(new LaneCounts(records.Epoch, 0, 14, 14, samples), reopened.Counts(Lane.Telemetry));

            var next = new TestRecords(Lane.Telemetry, epoch: "fedcba9876543210fedcba9876543210");
            reopened.Commit(next.Batch(3));
            Assert.Equal(new LaneCounts(next.Epoch, 0, 2, 2, TestRecords.Samples(1) + TestRecords.Samples(2)), reopened.Counts(Lane.Telemetry));
        }
    }

    [Fact]
    public void ChainedCounts_OfAStoreWrittenBeforeThem_CountFromTheSeqAfterItsHead()
    {
        using var temp = new TempDirectory();
        var records = new TestRecords(Lane.Telemetry);
        using (var store = OutboxStore.Open(temp.Path, SyncedOutboxFiles.Instance, TestStorageKey.Outbox))
        {
            store.Commit(records.Batch(10));
        }

        // The lane document as an earlier version wrote it: no counts.
        using (var data = File.Open(Path.Combine(temp.Path, OutboxStore.DataFileName), FileMode.Open))
        using (var log = File.Open(Path.Combine(temp.Path, OutboxStore.LogFileName), FileMode.OpenOrCreate))
        using (var db = EdgeTwin.Outbox.Encryption.StoreEncryption.OpenDatabase(data, log, TestStorageKey.Outbox, readOnly: false))
        {
            var lanes = db.GetCollection("lanes");
            foreach (var doc in lanes.FindAll().ToList())
            {
                Assert.True(doc.Remove("countedFrom") && doc.Remove("obsRecords") && doc.Remove("samples"));
                lanes.Update(doc);
            }
        }

        using var reopened = OutboxStore.Open(temp.Path, SyncedOutboxFiles.Instance, TestStorageKey.Outbox);
        Assert.Equal(new LaneCounts(records.Epoch, 10, 9, 0, 0), reopened.Counts(Lane.Telemetry));
        reopened.Commit(records.Batch(2));
        Assert.Equal(new LaneCounts(records.Epoch, 10, 11, 2, TestRecords.Samples(10) + TestRecords.Samples(11)), reopened.Counts(Lane.Telemetry));
    }

    [Fact]
    public void PowerCutModel_LosesUnsyncedWrites()
    {
        // The model must be able to fail: bytes written without a flush do not survive it.
        using var temp = new TempDirectory();
        var files = new PowerCutFiles();
        using (var stream = files.Open(temp.Sub("f")))
        {
            stream.Write([1, 2, 3]);
            files.CutPower(temp.Sub("cut"));
            stream.Flush();
        }

        Assert.Empty(File.ReadAllBytes(Path.Combine(temp.Sub("cut"), "f")));
    }

    [Fact]
    public void Read_GivesBackTheChainRecordsCommitted_WithTheirLanesEpochAndClass()
    {
        using var temp = new TempDirectory();
        var records = new TestRecords(Lane.Alarm, epoch: "fedcba9876543210fedcba9876543210");
        using var store = OutboxStore.Open(temp.Path, SyncedOutboxFiles.Instance, TestStorageKey.Outbox);
        var batch = records.Batch(3, RecordClass.Keep, size: 10);
        store.Commit(batch);

        var back = store.Read(Lane.Alarm, 0, 10, 10);

        Assert.Equal(3, back.Count);
        Assert.All(back.Zip(batch.Records), pair =>
        {
            var (read, written) = pair;
            Assert.Equal((Lane.Alarm, "fedcba9876543210fedcba9876543210", written.Seq, written.Kind, written.Prev, written.Hash, RecordClass.Keep),
                (read.Record.Lane, read.Record.Epoch, read.Seq, read.Kind, read.Prev, read.Hash, read.Class));
            Assert.Equal(written.Payload, read.Payload);
        });
    }

    [Fact]
    public void Commit_DeletesThroughReceipt_AndSingleRecords_AndKeepsUsageExact()
    {
        using var temp = new TempDirectory();
        var records = new TestRecords(Lane.Telemetry);
        var alarms = new TestRecords(Lane.Alarm);
        using var store = OutboxStore.Open(temp.Path, SyncedOutboxFiles.Instance, TestStorageKey.Outbox);
        var telemetry = records.Batch(10, size: 10);
        store.Commit(telemetry);
        store.Commit(alarms.Batch(3, size: 10));

        var delete = new OutboxBatch();
        delete.DeleteThrough[Lane.Telemetry] = 4;
        delete.Delete.Add(new RecordDeletion(Lane.Telemetry, 7, telemetry.Records[7].Payload.Length));
        delete.Delete.Add(new RecordDeletion(Lane.Telemetry, 99, 10));
        store.Commit(delete);

        Assert.Equal([5L, 6, 8, 9], store.Read(Lane.Telemetry, 0, 100, 100).Select(r => r.Seq));
        Assert.Equal(new LaneUsage(4, Bytes(store)), store.Usage(Lane.Telemetry));
        Assert.Equal(3, store.Usage(Lane.Alarm).Records);
        Assert.Equal(5, store.MinSeq(Lane.Telemetry));
        Assert.Equal(9, store.Heads[Lane.Telemetry].Seq);
    }

    [Fact]
    public void Commit_DeleteBudget_WritesEveryRecord_DeletesOnlyTheBudget_AndSaysHowFar()
    {
        using var temp = new TempDirectory();
        var records = new TestRecords(Lane.Telemetry);
        using var store = OutboxStore.Open(temp.Path, SyncedOutboxFiles.Instance, TestStorageKey.Outbox);
        var first = records.Batch(100, size: 10);
        store.Commit(first);

        var batch = records.Batch(5, size: 10);
        batch.Delete.AddRange(first.Records.Take(50).Select(r => new RecordDeletion(r.Lane, r.Seq, r.Payload.Length)));
        batch.DeleteBudget = 40;
        store.Commit(batch);

        Assert.Equal(40, batch.DeletesApplied);
        Assert.Equal(104, store.Heads[Lane.Telemetry].Seq);
        var left = store.Read(Lane.Telemetry, 0, 200, 200);
        Assert.Equal(Enumerable.Range(40, 65).Select(s => (long)s), left.Select(r => r.Seq));
        Assert.Equal(new LaneUsage(65, left.Sum(r => (long)r.Payload.Length)), store.Usage(Lane.Telemetry));
    }

    [Fact]
    public void Commit_YieldRequested_StopsDeletingAtTheNextCheck_RecordsStillCommitted()
    {
        using var temp = new TempDirectory();
        var records = new TestRecords(Lane.Telemetry);
        using var store = OutboxStore.Open(temp.Path, SyncedOutboxFiles.Instance, TestStorageKey.Outbox);
        store.Commit(records.Batch(200, size: 10));

        var batch = records.Batch(3, size: 10);
        batch.Delete.AddRange(Enumerable.Range(0, 150).Select(s => new RecordDeletion(Lane.Telemetry, s, 10)));
        var asked = 0;
        store.Commit(batch, () => ++asked == 2); // an alarm arrives while the commit is under way

        Assert.Equal(2 * OutboxStore.YieldEvery, batch.DeletesApplied);
        Assert.Equal(202, store.Heads[Lane.Telemetry].Seq);
        Assert.Equal(203 - (2 * OutboxStore.YieldEvery), store.Usage(Lane.Telemetry).Records);
        Assert.Equal(2 * OutboxStore.YieldEvery, store.MinSeq(Lane.Telemetry));
    }

    [Fact]
    public void Commit_ReceiptBeyondTheBudget_DeletesOldestFirst_AndReportsTheRangeUnfinished()
    {
        using var temp = new TempDirectory();
        var records = new TestRecords(Lane.Telemetry);
        using var store = OutboxStore.Open(temp.Path, SyncedOutboxFiles.Instance, TestStorageKey.Outbox);
        store.Commit(records.Batch(300, size: 10));

        var first = new OutboxBatch { DeleteBudget = 100 };
        first.DeleteThrough[Lane.Telemetry] = 249;
        store.Commit(first);
        Assert.Equal(249, first.DeleteThroughLeft[Lane.Telemetry]);
        var min = store.MinSeq(Lane.Telemetry)!.Value;
        Assert.InRange(min, 100, 100 + OutboxStore.YieldEvery);
        Assert.Equal(new LaneUsage(300 - min, Bytes(store)), store.Usage(Lane.Telemetry));

        var second = new OutboxBatch();
        second.DeleteThrough[Lane.Telemetry] = 249;
        store.Commit(second);
        Assert.Empty(second.DeleteThroughLeft);
        Assert.Equal(250, store.MinSeq(Lane.Telemetry));
        Assert.Equal(new LaneUsage(50, Bytes(store)), store.Usage(Lane.Telemetry));
    }

    [Fact]
    public void Commit_SameRecordDeletedTwice_CountedOnce()
    {
        using var temp = new TempDirectory();
        var records = new TestRecords(Lane.Telemetry);
        using var store = OutboxStore.Open(temp.Path, SyncedOutboxFiles.Instance, TestStorageKey.Outbox);
        var first = records.Batch(4, size: 10);
        store.Commit(first);

        // PUBACKed, then published and PUBACKed again after a reconnect before the first deletion was committed.
        var batch = new OutboxBatch();
        var twice = first.Records[2];
        batch.Delete.Add(new RecordDeletion(Lane.Telemetry, 2, twice.Payload.Length));
        batch.Delete.Add(new RecordDeletion(Lane.Telemetry, 2, twice.Payload.Length));
        store.Commit(batch);

        Assert.Equal(new LaneUsage(3, Bytes(store)), store.Usage(Lane.Telemetry));
    }

    [Fact]
    public void Open_GarbageFile_ThrowsCorrupt()
    {
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.Sub(OutboxStore.DataFileName), Enumerable.Range(0, 20_000).Select(i => (byte)(i * 7)).ToArray());
        Assert.Throws<OutboxCorruptException>(() => OutboxStore.Open(temp.Path, SyncedOutboxFiles.Instance, TestStorageKey.Outbox));
    }

    [Fact]
    public void Opener_CorruptStore_IsMovedAsideNotDeleted_AndAFreshStoreOpens()
    {
        using var temp = new TempDirectory();
        var garbage = Enumerable.Range(0, 20_000).Select(i => (byte)(i * 13)).ToArray();
        File.WriteAllBytes(temp.Sub(OutboxStore.DataFileName), garbage);
        var opened = OutboxOpener.Open(temp.Path, SyncedOutboxFiles.Instance, TestStorageKey.Key, TimeProvider.System);
        using (opened.Store)
        {
            Assert.NotNull(opened.QuarantinedAs);
            Assert.Equal(garbage, File.ReadAllBytes(opened.QuarantinedAs!));
            Assert.Empty(opened.Store.Heads);
            Assert.NotNull(opened.QuarantineReason);
        }
    }

    [Fact]
    public void Open_SecondOpenOfSameDirectory_FailsInsteadOfSharing()
    {
        using var temp = new TempDirectory();
        using var first = OutboxStore.Open(temp.Path, SyncedOutboxFiles.Instance, TestStorageKey.Outbox);
        Assert.ThrowsAny<IOException>(() => OutboxStore.Open(temp.Path, SyncedOutboxFiles.Instance, TestStorageKey.Outbox));
    }

    private static long Bytes(OutboxStore store) => store.Read(Lane.Telemetry, 0, 1_000_000, 1_000_000).Sum(r => (long)r.Payload.Length);
}
