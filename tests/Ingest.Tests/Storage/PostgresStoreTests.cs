namespace EdgeTwin.Ingest.Tests.Storage;

using System.Security.Cryptography;
using System.Text.Json;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Ingest.Storage.Postgres;
using EdgeTwin.Ingest.Tests.Integration;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Verification;
using Npgsql;

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
    public async Task Prepared_GatewayRows_AreLockedUntilTheCommit()
    {
        // PrepareAsync reads the batch's gateway rows FOR UPDATE in one round trip, as GatewayAsync did
        // one by one: another transaction cannot change a gateway's twin, status or key history meanwhile.
        var store = await OpenAsync();
        var chain = new ChainId("gw-lock", "telemetry", new string('d', 32));
        await store.WriteAsync([chain], "site", async s => { await s.SetGatewayAsync(new GatewayRow { Gw = "gw-lock", Site = "site", UpdatedAt = DateTimeOffset.UnixEpoch }); return 0; }, default);
        await using var other = new NpgsqlConnection(_connection);
        await other.OpenAsync();
        async Task<bool> LockedAsync()
        {
            await using var tx = await other.BeginTransactionAsync();
            await using var cmd = new NpgsqlCommand("SELECT gw FROM ingest_gateways WHERE gw = 'gw-lock' FOR UPDATE NOWAIT", other, tx);
            try
            {
                await cmd.ExecuteScalarAsync();
                return false;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                return true;
            }
        }

        var inside = await store.WriteAsync([chain], "site", async s =>
        {
            await s.PrepareAsync([], ["gw-lock"]);
            return await LockedAsync();
        }, default);

        Assert.True(inside);
        Assert.False(await LockedAsync());
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

    [Fact]
    public async Task Prepared_ARecordCommittedWhileTheBatchWaitedForTheChainsLock_IsSeenAsStored()
    {
        // The batch looks up its chain's highest stored seq after taking the chain's lock, in a statement of
        // its own (a snapshot of its own): it sees the record the lock's holder committed while it waited.
        var a = await OpenAsync();
        var b = await ReopenAsync();
        var chain = new ChainId("gw-wait", "telemetry", new string('f', 32));
        var holding = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var first = a.WriteAsync([chain], "site", async s =>
        {
            var ok = await s.TryInsertRecordAsync(Record(10, "first") with { Chain = chain });
            holding.SetResult();
            await release.Task;
            return ok;
        }, default);
        await holding.Task;

        var second = b.WriteAsync([chain], "site", async s =>
        {
            await s.PrepareAsync([(chain, 10), (chain, 11)], []);
            return (await s.TryInsertRecordAsync(Record(10, "second") with { Chain = chain }), await s.TryInsertRecordAsync(Record(11, "h11") with { Chain = chain }));
        }, default);

        // The second batch waits for the chain's row lock before its look-ups; only then may the first commit.
        await using (var watch = new NpgsqlConnection(_connection))
        {
            await watch.OpenAsync();
            await using var waiting = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'", watch);
            while ((long)(await waiting.ExecuteScalarAsync())! == 0)
            {
                Assert.False(second.IsCompleted, "the second batch ended without waiting for the chain's lock");
                await Task.Yield();
            }
        }

        release.SetResult();
        Assert.True(await first);
        Assert.Equal((false, true), await second);
        var stored = await a.WriteAsync([chain], "site", s => s.StoredHashesAsync(chain, 0, 20), default);
        Assert.Equal(new Dictionary<long, string> { [10] = "first", [11] = "h11" }, stored);
    }

    [Fact]
    public async Task ChainStateAnOlderIngestStoredAsJson_IsRead_AndTheNextWriteStoresTheCompactForm()
    {
        var store = await OpenAsync();
        var chain = new ChainId("gw-old", "telemetry", new string('d', 32));
        await store.WriteAsync([chain], "site", s =>
        {
            s.SetChain(s.Chain(chain) with { Received = 3 });
            return Task.FromResult(0);
        }, default);
        var json = JsonSerializer.Serialize(new ChainVerifierState(
            new ChainKey("gw-old", Lane.Telemetry, new string('d', 32)), "0xab", 2, new string('e', 64), 2, false, false, 2,
            new ChainCounters(3, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0), [], [new(2, new string('e', 64))], []));
        await using (var conn = new NpgsqlConnection(_connection))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("UPDATE ingest_chains SET verifier_state = $1, chain_state = NULL WHERE gw = 'gw-old'", conn);
            cmd.Parameters.AddWithValue(json);
            Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
        }

        var old = Assert.Single(await store.ChainsAsync("gw-old", default));
        Assert.Equal(json, JsonSerializer.Serialize(old.DecodeState()));

        byte[] compact = ChainStateCodec.Encode(old.DecodeState()!);
        await store.WriteAsync([chain], "site", s =>
        {
            s.SetChain(s.Chain(chain) with { VerifierState = compact });
            return Task.FromResult(0);
        }, default);
        await using (var conn = new NpgsqlConnection(_connection))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT verifier_state IS NULL, chain_state FROM ingest_chains WHERE gw = 'gw-old'", conn);
            await using var r = await cmd.ExecuteReaderAsync();
            Assert.True(await r.ReadAsync());
            Assert.True(r.GetBoolean(0));
            Assert.Equal(compact, r.GetFieldValue<byte[]>(1));
        }
    }

    [Fact]
    public async Task ChainState_UpTo8160Bytes_StaysInTheRow_LargerGoesOutOfLine()
    {
        var store = await OpenAsync();
        var chain = new ChainId("gw-inline", "telemetry", new string('c', 32));
        await using var conn = new NpgsqlConnection(_connection);
        await conn.OpenAsync();
        async Task<T> ScalarAsync<T>(string sql)
        {
            await using var cmd = new NpgsqlCommand(sql, conn);
            return (T)(await cmd.ExecuteScalarAsync())!;
        }

        var options = await ScalarAsync<string[]>("SELECT reloptions FROM pg_class WHERE oid = 'ingest_chains'::regclass");
        Assert.Contains("toast_tuple_target=8160", options);
        Assert.Contains("fillfactor=50", options);
        var toast = await ScalarAsync<string>("SELECT reltoastrelid::regclass::text FROM pg_class WHERE oid = 'ingest_chains'::regclass");

        // A chain's usual state (a few KB: the remembered links and the records since the last checkpoint),
        // written again and again as batches advance it: in the row each time, nothing in the TOAST table.
        foreach (var size in (int[])[3_000, 3_100, 6_000, 7_900])
        {
            var state = RandomNumberGenerator.GetBytes(size);
            await store.WriteAsync([chain], "site", s =>
            {
                s.SetChain(s.Chain(chain) with { VerifierState = state });
                return Task.FromResult(0);
            }, default);
            Assert.Equal(state, Assert.Single(await store.ChainsAsync("gw-inline", default)).VerifierState);
            Assert.Equal(0L, await ScalarAsync<long>($"SELECT count(*) FROM {toast}"));
        }

        // A large one (records held out of order, many variants) goes out of line, uncompressed, and reads back whole.
        var large = RandomNumberGenerator.GetBytes(20_000);
        await store.WriteAsync([chain], "site", s =>
        {
            s.SetChain(s.Chain(chain) with { VerifierState = large });
            return Task.FromResult(0);
        }, default);
        Assert.Equal(large, Assert.Single(await store.ChainsAsync("gw-inline", default)).VerifierState);
        Assert.True(await ScalarAsync<long>($"SELECT count(*) FROM {toast}") > 0);
        Assert.Equal(20_000, await ScalarAsync<int>("SELECT pg_column_size(chain_state) FROM ingest_chains WHERE gw = 'gw-inline'"));
    }

    [Fact]
    public async Task Lock_LeavesOutOnlyTheStateTheWorkerHolds_AndAWriteThatKeepsItLeavesTheStoredStateAsItWas()
    {
        var a = await OpenAsync();
        var b = await ReopenAsync();
        var chain = new ChainId("gw-held", "telemetry", new string('f', 32));
        byte[] first = [1, 2, 3, 4];
        byte[] second = [5, 6, 7];
        await SetStateAsync(a, first);

        // The worker holds the stored state: the row comes without it, and a write of other columns keeps it.
        var held = await a.WriteAsync([chain], _ => "site", _ => SHA256.HashData(first), s =>
        {
            var row = s.Chain(chain);
            s.SetChain(row with { Rejected = 7 });
            return Task.FromResult(row);
        }, default);
        Assert.True(held.StateLeftOut);
        Assert.Null(held.VerifierState);
        Assert.Equal(SHA256.HashData(first), held.StoredDigest);
        var kept = Assert.Single(await a.ChainsAsync("gw-held", default));
        Assert.Equal(first, kept.VerifierState);
        Assert.Equal(7, kept.Rejected);

        // Another worker stores another state: the first one's digest no longer matches, the row carries the state.
        await SetStateAsync(b, second);
        var moved = await a.WriteAsync([chain], _ => "site", _ => SHA256.HashData(first), s => Task.FromResult(s.Chain(chain)), default);
        Assert.False(moved.StateLeftOut);
        Assert.Equal(second, moved.VerifierState);

        // A worker holding nothing reads it too.
        var fresh = await b.WriteAsync([chain], _ => "site", _ => null, s => Task.FromResult(s.Chain(chain)), default);
        Assert.False(fresh.StateLeftOut);
        Assert.Equal(second, fresh.VerifierState);

        Task SetStateAsync(IIngestStore store, byte[] state) => store.WriteAsync([chain], "site", s =>
        {
            s.SetChain(s.Chain(chain) with { VerifierState = state });
            return Task.FromResult(0);
        }, default);
    }

    internal override Task<IIngestStore> CreateAsync() => Task.FromResult<IIngestStore>(new PostgresIngestStore(_connection));

    internal override Task<IIngestStore> CreateSecondAsync() => CreateAsync();
}
