namespace EdgeTwin.Ingest.Tests.Storage;

using EdgeTwin.Ingest.Storage;
using EdgeTwin.Ingest.Storage.LiteDb;
using EdgeTwin.Outbox.Durability;
using EdgeTwin.Outbox.Encryption;
using EdgeTwin.Outbox.Tests.Support;
using static StoreContractTests;

/// <summary>
/// The ingest's LiteDB store when its disk fills. A commit that fails writing LiteDB's log can be neither
/// rolled back nor finished by LiteDB 5.0.21, and its transaction kept the worker thread's transaction
/// slot and the collections' locks: every later write failed ("a transaction is already open on this
/// thread") or waited a minute for the lock, until a restart. Now the store closes its files after such a
/// failure and opens them again at the next use.
/// </summary>
public sealed class LiteDbFullDiskTests : IDisposable
{
    private static readonly ChainId Chain = new("gw-1", "telemetry", new string('a', 32));
    private readonly string _dir = Directory.CreateTempSubdirectory("edgetwin-litedb-full-").FullName;
    private readonly StorageKey _key;
    private volatile bool _full;

    public LiteDbFullDiskTests() => _key = StorageKey.Open(LiteDbIngestStore.DefaultKeyFile(_dir), generateWhenMissing: true);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task ACommitFailingOnAFullDisk_StoresNothingOfItsBatch_AndOnceThereIsRoomTheNextWritesStoreIt()
    {
        await using (var store = new LiteDbIngestStore(_dir, _key, Open))
        {
            await store.InitializeAsync(default);
            Assert.True(await InsertAsync(store, 0));

            _full = true;
            var failed = await Assert.ThrowsAsync<IOException>(() => InsertAsync(store, 1));
            Assert.True(StorageFaults.IsOutOfSpace(failed));
            _full = false;

            // Not wedged: the failed batch's record is new to the store, and writes go on on any thread.
            Assert.True(await InsertAsync(store, 1));
            for (var seq = 2; seq < 6; seq++)
            {
                Assert.True(await Task.Run(() => InsertAsync(store, seq)));
            }

            Assert.Equal(1, store.Reopens);
            Assert.Equal(6, await store.RecordCountAsync(default));
        }

        await using var reopened = new LiteDbIngestStore(_dir, _key);
        await reopened.InitializeAsync(default);
        var stored = await reopened.WriteAsync([Chain], "site", s => s.StoredHashesAsync(Chain, 0, 10), default);
        Assert.Equal(Enumerable.Range(0, 6).Select(i => $"h{i}"), stored.OrderBy(p => p.Key).Select(p => p.Value));
    }

    [Fact]
    public async Task WhileTheDiskStaysFull_EveryWriteFailsSayingSo_NoneIsStored_AndNoneWaitsForALock()
    {
        await using var store = new LiteDbIngestStore(_dir, _key, Open);
        await store.InitializeAsync(default);
        Assert.True(await InsertAsync(store, 0));

        _full = true;
        for (var seq = 1; seq < 4; seq++)
        {
            var failed = await Assert.ThrowsAnyAsync<IOException>(() => Task.Run(() => InsertAsync(store, seq)));
            Assert.True(StorageFaults.IsOutOfSpace(failed), failed.ToString());
        }

        _full = false;
        Assert.True(await InsertAsync(store, 1));
        Assert.Equal(2, await store.RecordCountAsync(default));
    }

    private static Task<bool> InsertAsync(LiteDbIngestStore store, long seq) =>
        store.WriteAsync([Chain], "site", s => s.TryInsertRecordAsync(Record(seq, $"h{seq}")), default);

    private FileStream Open(string path, bool synced) => new FillingFileStream(path, () => _full);
}
