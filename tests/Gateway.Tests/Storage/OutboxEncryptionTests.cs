namespace EdgeTwin.Gateway.Tests.Storage;

using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Storage;
using EdgeTwin.Gateway.Tests.Support;
using EdgeTwin.Outbox;
using EdgeTwin.Outbox.Durability;
using EdgeTwin.Outbox.Encryption;
using EdgeTwin.Telemetry.Records;

public class OutboxEncryptionTests
{
    [Fact]
    public void Commit_DataFileHoldsNoPlaintext_WhereAPlainStoreDoes_AndReopensWithTheKey()
    {
        using var temp = new TempDirectory();
        var plain = PlainOutbox.Write(temp.Sub("plain"));
        Assert.True(PlainOutbox.HoldsMarker(Path.Combine(temp.Sub("plain"), OutboxStore.DataFileName)));

        var records = new TestRecords(Lane.Telemetry);
        using (var store = OutboxStore.Open(temp.Sub("enc"), SyncedOutboxFiles.Instance, TestStorageKey.Outbox))
        {
            store.Commit(records.Batch(50));
        }

        Assert.False(PlainOutbox.HoldsMarker(Path.Combine(temp.Sub("enc"), OutboxStore.DataFileName)));
        Assert.False(PlainOutbox.HoldsMarker(Path.Combine(temp.Sub("enc"), OutboxStore.LogFileName)));
        Assert.False(StoreEncryption.IsPlain(Path.Combine(temp.Sub("enc"), OutboxStore.DataFileName)));
        using var reopened = OutboxStore.Open(temp.Sub("enc"), SyncedOutboxFiles.Instance, TestStorageKey.Outbox);
        Assert.Null(reopened.EncryptedDocuments);
        Assert.Equal(49, reopened.Heads[Lane.Telemetry].Seq);
        Assert.Equal(50, reopened.Read(Lane.Telemetry, 0, 1_000, 1_000).Count);
    }

    [Fact]
    public void Open_WrongKey_RefusesNamingTheKeyFile_FilesByteIdentical_NothingQuarantined()
    {
        using var temp = new TempDirectory();
        using (var store = OutboxStore.Open(temp.Path, SyncedOutboxFiles.Instance, TestStorageKey.Outbox))
        {
            store.Commit(new TestRecords(Lane.Alarm).Batch(5));
        }

        var before = Snapshot(temp.Path);

        var error = Assert.Throws<StartupException>(() => OutboxOpener.Open(temp.Path, SyncedOutboxFiles.Instance, TestStorageKey.Other, TimeProvider.System));

        Assert.Equal("Gateway:StorageKeyFile", error.Setting);
        Assert.Contains(TestStorageKey.Other.Path, error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(temp.Path, OutboxStore.DataFileName), error.Message, StringComparison.Ordinal);
        AssertSame(before, Snapshot(temp.Path));
    }

    [Fact]
    public void ChainBook_StorageKeyLostAndRegenerated_RefusesToStart_InsteadOfANewEpoch()
    {
        using var temp = new TempDirectory();
        using (var harness = new BookHarness(temp.Path))
        {
            harness.Commit();
        }

        File.Delete(temp.Sub("storage.key"));
        var before = Snapshot(temp.Path, except: "storage.key");

        var error = Assert.Throws<StartupException>(() => new BookHarness(temp.Path));

        Assert.Equal("Gateway:StorageKeyFile", error.Setting);
        Assert.Contains("generated at this start", error.Message, StringComparison.Ordinal);
        Assert.Contains(temp.Sub("storage.key"), error.Message, StringComparison.Ordinal);
        AssertSame(before, Snapshot(temp.Path, except: "storage.key"));
    }

    [Fact]
    public void Open_DamagedKeyCheck_IsTreatedAsAWrongKey_NotQuarantined()
    {
        // An encrypted file whose key check page is damaged cannot be told from a wrong key: the
        // start is refused with the files untouched rather than the backlog abandoned.
        using var temp = new TempDirectory();
        var bytes = Enumerable.Range(0, 3 * 8192).Select(i => (byte)(i * 7)).ToArray();
        bytes[0] = 1;
        File.WriteAllBytes(temp.Sub(OutboxStore.DataFileName), bytes);

        Assert.Throws<StartupException>(() => OutboxOpener.Open(temp.Path, SyncedOutboxFiles.Instance, TestStorageKey.Key, TimeProvider.System));

        Assert.Equal(bytes, File.ReadAllBytes(temp.Sub(OutboxStore.DataFileName)));
        Assert.Single(Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void ChainBook_PlainStore_IsEncryptedWithEveryRecordHeadAndUsage_ChainsResumed_AndRecorded()
    {
        using var temp = new TempDirectory();
        var plain = PlainOutbox.Write(temp.Path);

        using (var harness = new BookHarness(temp.Path))
        {
            AssertMigrated(plain, harness);
        }

        Assert.False(PlainOutbox.HoldsMarker(temp.Sub(OutboxStore.DataFileName)));
        Assert.False(PlainOutbox.HoldsMarker(temp.Sub(OutboxStore.LogFileName)));
        Assert.Empty(Directory.GetFiles(temp.Path, "*" + StoreEncryption.NewSuffix));
    }

    private static void AssertMigrated(PlainOutbox plain, BookHarness harness)
    {
        Assert.Equal(plain.Records.Values.Sum(r => r.Count) + 2, harness.Book.Store.EncryptedDocuments); // + the two lane heads
        plain.AssertSameAs(PlainOutbox.Read(harness.Book.Store));
        Assert.Equal(plain.Heads[Lane.Alarm], harness.Book.Head(Lane.Alarm));
        Assert.Equal(plain.Heads[Lane.Telemetry].Epoch, harness.Book.Head(Lane.Telemetry).Epoch);
        Assert.Null(harness.Book.Quarantined);

        harness.Commit();
        var last = harness.Book.Store.Read(Lane.Telemetry, plain.Heads[Lane.Telemetry].Seq + 1, 1_000_000, 10);
        var recorded = Assert.Single(last);
        Assert.Equal("event", recorded.Kind);
        var text = System.Text.Encoding.UTF8.GetString(recorded.Payload);
        Assert.Contains("\"store-encrypted\"", text, StringComparison.Ordinal);
        Assert.Contains("\"documents\":" + harness.Book.Store.EncryptedDocuments, text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("log-merged")]
    [InlineData("copied")]
    [InlineData("swapped")]
    public void Migration_CrashAfterAStep_LeavesOneCompleteStore_AndTheRestartFinishesIt(string step)
    {
        using var temp = new TempDirectory();
        var plain = PlainOutbox.Write(temp.Path);
        var data = temp.Sub(OutboxStore.DataFileName);

        Assert.Throws<SimulatedCrash>(() => StoreEncryption.Encrypt(data, temp.Sub(OutboxStore.LogFileName), TestStorageKey.Outbox, SyncedOutboxFiles.Instance,
            done => { if (done == step) { throw new SimulatedCrash(); } }));

        Assert.Equal(step != "swapped", StoreEncryption.IsPlain(data));
        using (var restarted = OutboxStore.Open(temp.Path, SyncedOutboxFiles.Instance, TestStorageKey.Outbox))
        {
            Assert.Equal(step == "swapped" ? null : plain.Records.Values.Sum(r => r.Count) + 2, restarted.EncryptedDocuments);
            plain.AssertSameAs(PlainOutbox.Read(restarted));
        }

        Assert.False(PlainOutbox.HoldsMarker(data));
        Assert.Empty(Directory.GetFiles(temp.Path, "*" + StoreEncryption.NewSuffix));
    }

    [Fact]
    public void Migration_CrashDuringTheCopy_UnfinishedCopyIsDiscarded_AndRedone()
    {
        using var temp = new TempDirectory();
        var plain = PlainOutbox.Write(temp.Path);
        var partial = Enumerable.Range(0, 12_000).Select(i => (byte)(i * 3)).ToArray();
        partial[0] = 1;
        File.WriteAllBytes(temp.Sub(OutboxStore.DataFileName + StoreEncryption.NewSuffix), partial);
        File.WriteAllBytes(temp.Sub(OutboxStore.LogFileName + StoreEncryption.NewSuffix), partial);

        using var restarted = OutboxStore.Open(temp.Path, SyncedOutboxFiles.Instance, TestStorageKey.Outbox);

        plain.AssertSameAs(PlainOutbox.Read(restarted));
        Assert.NotNull(restarted.EncryptedDocuments);
        Assert.Empty(Directory.GetFiles(temp.Path, "*" + StoreEncryption.NewSuffix));
    }

    [Fact]
    public void Opener_CorruptPlainStore_IsStillQuarantined_AndTheNewStoreIsEncrypted()
    {
        using var temp = new TempDirectory();
        var garbage = Enumerable.Range(0, 20_000).Select(i => (byte)(i * 13)).ToArray();
        File.WriteAllBytes(temp.Sub(OutboxStore.DataFileName), garbage);

        var opened = OutboxOpener.Open(temp.Path, SyncedOutboxFiles.Instance, TestStorageKey.Key, TimeProvider.System);
        using (opened.Store)
        {
            Assert.Equal(garbage, File.ReadAllBytes(opened.QuarantinedAs!));
            Assert.Null(opened.EncryptedDocuments);
            opened.Store.Commit(new TestRecords(Lane.Telemetry).Batch(3));
        }

        Assert.False(StoreEncryption.IsPlain(temp.Sub(OutboxStore.DataFileName)));
    }

    private static Dictionary<string, byte[]> Snapshot(string directory, string? except = null) =>
        Directory.GetFiles(directory).Where(f => Path.GetFileName(f) != except).ToDictionary(f => f, File.ReadAllBytes);

    private static void AssertSame(Dictionary<string, byte[]> before, Dictionary<string, byte[]> after)
    {
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach (var (file, bytes) in before)
        {
            Assert.Equal(bytes, after[file]);
        }
    }

    private sealed class SimulatedCrash : Exception;
}
