namespace EdgeTwin.Ingest.Tests.Storage;

using EdgeTwin.Ingest.Storage;
using EdgeTwin.Ingest.Storage.Postgres;
using EdgeTwin.Ingest.Tests.Integration;

[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreTests : StoreContractTests
{
    private readonly PostgresFixture _pg;
    private string _connection = string.Empty;

    public PostgresStoreTests(PostgresFixture pg) => _pg = pg;

    public override async Task InitializeAsync() => _connection = await _pg.CreateDatabaseAsync();

    [Fact]
    public async Task AcmLease_OneWorkerPerManager_FreedWhenItsHolderLetsGo()
    {
        var a = (IAlarmOutStore)await OpenAsync();
        var b = (IAlarmOutStore)await ReopenAsync();

        var held = await a.TryLeaseAcmAsync("pager", default);
        Assert.NotNull(held);
        Assert.True(await held.StillHeldAsync(default));
        Assert.Null(await b.TryLeaseAcmAsync("pager", default));
        await using (var other = await b.TryLeaseAcmAsync("badges", default))
        {
            Assert.NotNull(other); // another manager is another lease
        }

        await held.DisposeAsync();
        await using var taken = await b.TryLeaseAcmAsync("pager", default);
        Assert.NotNull(taken);
        Assert.Null(await a.TryLeaseAcmAsync("pager", default));
    }

    [Fact]
    public async Task TwoWorkers_RacingOnOneChain_NeverShareASeq()
    {
        // Each write reads the chain's count under its lock and stores the next seq. Without the
        // row lock both would read the same count and one insert would find its seq taken.
        var a = await OpenAsync();
        var b = await ReopenAsync();
        var chain = new ChainId("gw-race", "telemetry", new string('c', 32));
        async Task<int> Worker(IIngestStore store, string who)
        {
            var taken = 0;
            for (var i = 0; i < 40; i++)
            {
                var ok = await store.WriteAsync([chain], "site", async s =>
                {
                    var row = s.Chain(chain);
                    var inserted = await s.TryInsertRecordAsync(new RecordRow(chain, row.Received, who, "obs", "site", null, null, null, [1], DateTimeOffset.UnixEpoch));
                    s.SetChain(row with { Received = row.Received + 1 });
                    return inserted;
                }, default);
                taken += ok ? 1 : 0;
            }

            return taken;
        }

        var results = await Task.WhenAll(Worker(a, "a"), Worker(b, "b"));
        Assert.Equal([40, 40], results);
        var row = Assert.Single(await a.ChainsAsync("gw-race", default));
        Assert.Equal(80, row.Received);
        Assert.Equal(80, await a.RecordCountAsync(default));
    }

    internal override Task<IIngestStore> CreateAsync() => Task.FromResult<IIngestStore>(new PostgresIngestStore(_connection));

    internal override Task<IIngestStore> CreateSecondAsync() => CreateAsync();
}
