namespace EdgeTwin.Ingest.Tests.Storage;

using System.Collections;
using System.Reflection;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Ingest.Storage.LiteDb;
using LiteDB;

/// <summary>
/// LiteDB compiles each expression text it has not seen and keeps it for the life of the process
/// (static caches in <see cref="BsonExpression"/>). The store's look-ups give their values as
/// parameters, so a look-up of a new id or range compiles nothing: before, every one did (a tenth of
/// the ingest's CPU) and the caches grew with every record stored. Alone in its collection: other
/// tests' own LiteDB queries would add to the caches meanwhile.
/// </summary>
[Collection(Name)]
public sealed class LiteDbExpressionCacheTests : IAsyncLifetime
{
    public const string Name = "LiteDB expression cache";
    private static readonly ChainId Chain = new("gw-1", "telemetry", new string('a', 32));
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 6, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("edgetwin-litedb-cache-").FullName;
    private LiteDbIngestStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = new LiteDbIngestStore(_dir);
        await _store.InitializeAsync(default);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task StoringAndReadingRecordsOfNewSeqs_CompilesNoNewExpression()
    {
        await StoreAndReadAsync(0, 5); // every form of look-up once
        var before = CachedExpressions();

        await StoreAndReadAsync(5, 50);

        Assert.Equal(before, CachedExpressions());
        Assert.Equal(50, await _store.RecordCountAsync(default));
    }

    private async Task StoreAndReadAsync(long from, long to)
    {
        for (var seq = from; seq < to; seq++)
        {
            var record = new RecordRow(Chain, seq, $"h{seq}", "obs", "site", T0, "pat-1", "loinc:8867-4", [(byte)seq], T0);
            await _store.WriteAsync([Chain], "site", async s =>
            {
                await s.PrepareAsync([(Chain, seq)], []);
                await s.TryInsertRecordAsync(record);
                await s.TryInsertRecordAsync(record); // stored already: looked up
                await s.StoredHashesAsync(Chain, seq, seq);
                await s.RecordsAsync(Chain, seq, seq);
                s.SetChain(s.Chain(Chain) with { VerifiedThrough = seq });
                return 0;
            }, default);
            await _store.CheckpointsAsync(Chain, seq, seq, default);
            await _store.VerifiedRecordsAsync(new RecordQuery("pat-1", null, null, null, 1), default);
            await _store.VerifiedRecordsAsync(new RecordQuery(null, "gw-1", null, null, 1), default);
        }
    }

    private static int CachedExpressions() =>
        new[] { "_cacheScalar", "_cacheEnumerable" }.Sum(name =>
            ((ICollection)typeof(BsonExpression).GetField(name, BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!).Count);
}
