namespace EdgeTwin.Ingest.Tests.Storage;

using EdgeTwin.Ingest.Storage;
using EdgeTwin.Ingest.Storage.LiteDb;

public sealed class LiteDbStoreTests : StoreContractTests
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edgetwin-litedb-").FullName;

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task WriteAsync_ForcesBothFilesToDiskBeforeReturning()
    {
        var store = (LiteDbIngestStore)await OpenAsync();
        Assert.Equal(0, store.DiskSyncs);
        await store.WriteAsync([new ChainId("gw-1", "telemetry", new string('b', 32))], "site", s => s.TryInsertRecordAsync(Record(0, "h")), default);
        Assert.Equal(1, store.DiskSyncs);

        // Checkpointed: the data file alone (log empty) already holds the record.
        Assert.True(new FileInfo(Path.Combine(_dir, "ingest.db")).Length > 0);
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

    private static List<string> RecordIndexes(LiteDbIngestStore store) =>
        [.. store.Db.GetCollection("$indexes").Find(LiteDB.Query.EQ("collection", LiteDbMapping.Records)).Select(d => d["name"].AsString)];

    internal override Task<IIngestStore> CreateAsync() => Task.FromResult<IIngestStore>(new LiteDbIngestStore(_dir));

    internal override Task<IIngestStore> CreateSecondAsync() => CreateAsync();
}
