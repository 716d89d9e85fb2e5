namespace EdgeTwin.Ingest.Tests.Storage;

using EdgeTwin.Ingest.Storage;
using EdgeTwin.Ingest.Storage.LiteDb;

public sealed class LiteDbStoreTests : StoreContractTests
{
    private static readonly ChainId Chain = new("gw-1", "telemetry", new string('a', 32));
    private readonly string _dir = Directory.CreateTempSubdirectory("edgetwin-litedb-").FullName;

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task WriteAsync_ForcesItsCommitInTheLogToDiskBeforeReturning_AndMovesTheLogIntoTheDataFileOncePastItsThreshold()
    {
        var store = (LiteDbIngestStore)await OpenAsync();
        Assert.Equal(0, store.DiskSyncs);
        await store.WriteAsync([Chain], "site", s => s.TryInsertRecordAsync(Record(0, "h")), default);
        Assert.Equal((1L, 0L), (store.DiskSyncs, store.Checkpoints));
        Assert.True(LogLength() > 0, "the commit is in the log");

        // 64 KiB records: the log passes its threshold after fewer than a hundred of them.
        var seq = 1L;
        var lengths = new List<long> { LogLength() };
        while (store.Checkpoints == 0)
        {
            var record = Record(seq, $"h{seq}") with { Payload = new byte[64 * 1024] };
            await store.WriteAsync([Chain], "site", s => s.TryInsertRecordAsync(record), default);
            seq++;
            Assert.True(seq < 200, "no checkpoint after 12 MiB of commits");
            if (store.Checkpoints == 0)
            {
                lengths.Add(LogLength());
            }
        }

        // No checkpoint below the threshold, and the one commit more that came to it passed it.
        Assert.All(lengths, l => Assert.True(l < LiteDbIngestStore.CheckpointLogBytes, $"{l} bytes of log"));
        Assert.True(lengths[^1] + lengths.Zip(lengths.Skip(1), (a, b) => b - a).Max() >= LiteDbIngestStore.CheckpointLogBytes);
        Assert.Equal((seq, 1L), (store.DiskSyncs, store.Checkpoints));
        Assert.Equal(8192, LogLength()); // emptied: the encrypted log's first page holds its salt
        Assert.Equal(seq, await store.RecordCountAsync(default));
    }

    [Fact]
    public async Task CommitsOnlyInTheLog_AreAllThere_WhenTheFilesAreOpenedAsAKillLeavesThem()
    {
        var store = (LiteDbIngestStore)await OpenAsync();
        for (var seq = 0L; seq < 10; seq++)
        {
            var through = seq;
            await store.WriteAsync([Chain], "site", async s =>
            {
                await s.TryInsertRecordAsync(Record(through, $"h{through}"));
                s.SetChain(s.Chain(Chain) with { VerifiedThrough = through, Received = through + 1 });
                return 0;
            }, default);
        }

        Assert.Equal(0, store.Checkpoints);

        // The files as a SIGKILL leaves them: copied while the store is open, nothing checkpointed nor
        // closed (cp takes no lock; the store holds its files exclusively).
        var killed = Directory.CreateTempSubdirectory("edgetwin-litedb-killed-").FullName;
        try
        {
            foreach (var file in new[] { LiteDbIngestStore.DataFileName, LiteDbIngestStore.LogFileName, "storage.key" })
            {
                using var cp = System.Diagnostics.Process.Start("cp", [Path.Combine(_dir, file), Path.Combine(killed, file)]);
                await cp.WaitForExitAsync();
                Assert.Equal(0, cp.ExitCode);
            }

            await using var reopened = new LiteDbIngestStore(killed);
            await reopened.InitializeAsync(default);
            Assert.Equal(10, await reopened.RecordCountAsync(default));
            Assert.Equal(9, Assert.Single(await reopened.ChainsAsync("gw-1", default)).VerifiedThrough);
            var served = await reopened.VerifiedRecordsAsync(new RecordQuery(null, "gw-1", null, null, 100), default);
            Assert.Equal(Enumerable.Range(0, 10).Select(i => $"h{i}"), served.Select(r => r.Hash));
        }
        finally
        {
            Directory.Delete(killed, recursive: true);
        }
    }

    [Fact]
    public void ChainStateAnOlderIngestStoredAsJsonText_IsReadAsItsBytes_TheCompactFormAsBinary()
    {
        var row = new ChainRow { Id = new ChainId("gw-1", "telemetry", new string('b', 32)), Site = "site", VerifierState = [0, 69, 83, 1] };
        var doc = LiteDbMapping.FromChain(row);
        Assert.True(doc["state"].IsBinary);
        Assert.Equal(row.VerifierState, LiteDbMapping.ToChain(doc).VerifierState);

        doc["state"] = "{\"Chain\":null}";
        Assert.Equal("{\"Chain\":null}"u8.ToArray(), LiteDbMapping.ToChain(doc).VerifierState);
    }

    [Fact]
    public async Task TheRecordsCollection_HasNoGatewayIndex_EvenWhereAnOlderIngestMadeOne()
    {
        var store = (LiteDbIngestStore)await OpenAsync();
        store.Db.GetCollection(LiteDbMapping.Records).EnsureIndex("gw"); // as an older ingest did
        Assert.Contains("gw", RecordIndexes(store));
        await store.DisposeAsync();

        var reopened = (LiteDbIngestStore)await ReopenAsync();

        Assert.Equal(["_id", "patient"], RecordIndexes(reopened).Order(StringComparer.Ordinal));
    }

    private long LogLength() => new FileInfo(Path.Combine(_dir, LiteDbIngestStore.LogFileName)).Length;

    private static List<string> RecordIndexes(LiteDbIngestStore store) =>
        [.. store.Db.GetCollection("$indexes").Find(LiteDB.Query.EQ("collection", LiteDbMapping.Records)).Select(d => d["name"].AsString)];

    internal override Task<IIngestStore> CreateAsync() => Task.FromResult<IIngestStore>(new LiteDbIngestStore(_dir));

    internal override Task<IIngestStore> CreateSecondAsync() => CreateAsync();
}
