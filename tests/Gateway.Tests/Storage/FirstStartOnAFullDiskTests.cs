namespace EdgeTwin.Gateway.Tests.Storage;

using EdgeTwin.Gateway.Outbox;
using EdgeTwin.Gateway.Privacy;
using EdgeTwin.Gateway.Storage;
using EdgeTwin.Gateway.Tests.Support;
using EdgeTwin.Outbox;
using EdgeTwin.Outbox.Encryption;
using EdgeTwin.Telemetry.Records;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

/// <summary>
/// Issue 24: a brand-new install on a full disk comes up with its keys in memory, creates no store
/// and commits nothing until they are on disk, then writes them and starts its chains.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public class FirstStartOnAFullDiskTests
{
    private static readonly long EndOfLane = long.MaxValue >> 16;

    [Fact]
    public void FirstStartFiles_WritesWhatWaitsInOrder_OnceThereIsRoom_AndSaysSoOnce()
    {
        var files = new FirstStartFiles(NullLogger<FirstStartFiles>.Instance);
        Assert.True(files.Written.IsCompleted); // nothing deferred: nothing to wait for
        files = new FirstStartFiles(NullLogger<FirstStartFiles>.Instance);
        var full = true;
        var written = new List<string>();
        files.Defer("gateway key", "gateway.key", () => Write(full), () => written.Add("gateway key"), NoSpace());
        files.Defer("storage key", "storage.key", () => Write(full), () => written.Add("storage key"), NoSpace());

        Assert.False(files.AllWritten);
        Assert.False(files.TryWriteAll());
        Assert.False(files.Written.IsCompleted);
        Assert.Empty(written);

        full = false;
        Assert.True(files.TryWriteAll());
        Assert.Equal(["gateway key", "storage key"], written);
        Assert.True(files.AllWritten);
        Assert.True(files.Written.IsCompleted);
        Assert.True(files.TryWriteAll());
        Assert.Equal(2, written.Count);
    }

    [Fact]
    public void SecretsMadeInMemory_AreWrittenWhole_AndAFileThatAppearedMeanwhileWithAnotherKeyIsNeverOverwritten()
    {
        using var temp = new TempDirectory();
        var key = StorageKey.GenerateInMemory(Path.Combine(temp.Path, "storage.key"));
        Assert.False(File.Exists(key.Path));
        Assert.True(key.WriteNew());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key.Path));
        Assert.Equal(key.PasswordFor("outbox"), StorageKey.Load(key.Path).PasswordFor("outbox"));
        Assert.True(key.WriteNew()); // the very same key: fine
        Assert.Single(Directory.GetFiles(temp.Path)); // nothing left beside it

        var other = StorageKey.GenerateInMemory(key.Path);
        Assert.Throws<SecretFileException>(() => other.WriteNew());
        Assert.Equal(key.PasswordFor("outbox"), StorageKey.Load(key.Path).PasswordFor("outbox"));

        var secretPath = Path.Combine(temp.Path, "site-secret");
        var secret = SiteSecret.GenerateInMemory();
        secret.WriteNew(secretPath);
        Assert.True(SiteSecret.Load(secretPath).KeySpan.SequenceEqual(secret.KeySpan));
        Assert.Throws<SiteSecretException>(() => SiteSecret.GenerateInMemory().WriteNew(secretPath));
    }

    [Fact]
    public void AnOutboxNotCreatedYet_HoldsNothing_RefusesCommits_AndIsCreatedOnlyWhenThereIsRoom_LeavingNothingHalfMade()
    {
        using var temp = new TempDirectory();
        var disk = new FullDiskFiles { Full = true };
        using var store = OutboxStore.NotCreated(temp.Path, disk, TestStorageKey.Outbox);
        Assert.True(store.IsClosed);
        Assert.Empty(store.Heads);
        Assert.Null(store.MinSeq(Lane.Telemetry));
        var records = new TestRecords(Lane.Telemetry);
        var batch = records.Batch(3);
        var refused = Assert.Throws<OutboxUnavailableException>(() => store.Commit(batch));
        Assert.Contains("not created yet", refused.Message, StringComparison.Ordinal);

        Assert.False(store.TryReopen(out var error));
        Assert.True(EdgeTwin.Outbox.Durability.StorageFaults.IsOutOfSpace(error));
        Assert.False(File.Exists(Path.Combine(temp.Path, OutboxStore.DataFileName)));
        Assert.False(File.Exists(Path.Combine(temp.Path, OutboxStore.LogFileName)));

        disk.Full = false;
        Assert.True(store.TryReopen(out _));
        store.Commit(batch);
        Assert.Equal(2, store.Heads[Lane.Telemetry].Seq);
    }

    [Fact]
    public async Task ABookWhoseKeysWaitInMemory_CreatesNoOutbox_CommitsNothing_AndStartsItsChainsOnceTheyAreWritten()
    {
        using var temp = new TempDirectory();
        var firstStart = new FirstStartFiles(NullLogger<FirstStartFiles>.Instance);
        var full = true;
        var secret = Path.Combine(temp.Path, "site-secret");
        firstStart.Defer("site secret", secret, () => SiteSecret.GenerateInMemory().WriteNew(full ? throw NoSpace() : secret), () => { }, NoSpace());
        using var h = new BookHarness(temp.Path, firstStart: firstStart);
        Assert.True(h.Book.Store.IsClosed);
        var health = new StorageHealth();
        var committed = new List<StoredRecord>();
        var lifetime = new WatchedLifetime();
        var committer = new GroupCommitter(h.Book, [new Listener(committed)], h.Evictor(), h.Retention, h.Ledger, health, Options.Create(h.Outbox), h.Time, h.Metrics,
            lifetime, NullLogger<GroupCommitter>.Instance, new FixedFreeSpace(1L << 30), firstStart: firstStart);

        await committer.CommitNowAsync(CancellationToken.None);
        var alarm = h.Book.AppendAlarm(new AlarmBody("p-1", "dev-1", "high", "spo2-critical", "raised", "rule", 80, "SpO2 critically low"));
        h.Time.Advance(GroupCommitter.RetryInterval);
        await committer.CommitNowAsync(CancellationToken.None);
        Assert.True(health.Full);
        Assert.Empty(committed);
        Assert.False(File.Exists(Path.Combine(temp.Path, OutboxStore.DataFileName)));
        Assert.Null(h.Book.AppendObs(new ObsBody("p-1", "dev-1", "loinc:8867-4", "/min", h.Time.GetUtcNow(), 0, [72]), RecordClass.Vital));

        full = false;
        h.Time.Advance(GroupCommitter.RetryInterval);
        await committer.CommitNowAsync(CancellationToken.None);
        Assert.False(health.Full);
        Assert.False(lifetime.StopRequested);
        Assert.True(File.Exists(secret));
        var telemetry = h.Book.Store.Read(Lane.Telemetry, 0, EndOfLane, 100);
        Assert.Equal("genesis", telemetry[0].Kind);
        Assert.Contains("\"reason\":\"first-start\"", System.Text.Encoding.UTF8.GetString(telemetry[0].Payload), StringComparison.Ordinal);
        Assert.Contains(h.Book.Store.Read(Lane.Alarm, 0, EndOfLane, 100), r => r.Hash == alarm.Hash);
        Assert.Equal(committed.Select(r => (r.Lane, r.Seq)).Order(), committed.Select(r => (r.Lane, r.Seq)).Distinct().Order());
    }

    [Fact]
    public void ATwinStoreNotCreatedYet_HoldsNothing_RefusesASaveAsOnAFullDisk_AndIsCreatedOnceTheKeyIsOnDisk()
    {
        using var temp = new TempDirectory();
        using var twin = new EdgeTwin.Gateway.Tests.Twin.TwinFixture();
        var path = temp.Sub("twin.db");
        var keyOnDisk = false;
        using var store = EdgeTwin.Gateway.Twin.Persistence.TwinStore.Open(path, TestStorageKey.Key, () => keyOnDisk);
        Assert.Null(store.Load());
        Assert.Empty(store.PendingEvents());
        var refused = Assert.ThrowsAny<IOException>(() => store.Save(twin.Twin.Snapshot(), []));
        Assert.True(EdgeTwin.Outbox.Durability.StorageFaults.IsOutOfSpace(refused));
        Assert.False(File.Exists(path));

        keyOnDisk = true;
        store.Save(twin.Twin.Snapshot(), []);
        Assert.True(File.Exists(path));
        Assert.NotNull(store.Load());
    }

    private static void Write(bool full)
    {
        if (full)
        {
            throw NoSpace();
        }
    }

    private static IOException NoSpace() => new("No space left on device", FullDiskFiles.Enospc);

    private sealed class Listener(List<StoredRecord> committed) : EdgeTwin.Gateway.Chains.ICommitListener
    {
        public void OnCommitted(IReadOnlyList<StoredRecord> records) => committed.AddRange(records);
    }
}
