namespace EdgeTwin.Outbox.Tests.Storage;

using System.Collections;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using EdgeTwin.Outbox.Durability;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using LiteDB;

/// <summary>
/// LiteDB 5.0.21 compiles each expression text it has not seen and keeps the delegate for the life of
/// the process (static caches in <see cref="BsonExpression"/>). The outbox's look-ups give their
/// values as parameters (<see cref="LiteDbQuery"/>), so a bedside box that appends, reads windows to
/// publish, deletes what was receipted or acknowledged and restarts, over months of new seqs, compiles
/// nothing after its first round: before, each read window, each receipt and each open compiled and
/// kept a new delegate. Alone in its collection: other tests' LiteDB queries would add to the caches meanwhile.
/// </summary>
[Collection(Name)]
public sealed class ExpressionCacheTests : IDisposable
{
    public const string Name = "LiteDB expression cache";
    private const string Password = "expression-cache-test";
    private const string Epoch = "0123456789abcdef0123456789abcdef";
    private readonly string _dir = Directory.CreateTempSubdirectory("edgetwin-outbox-cache-").FullName;
    private readonly Dictionary<Lane, (long Next, string Prev)> _chains = new() { [Lane.Telemetry] = (0, new string('0', 64)), [Lane.Alarm] = (0, new string('0', 64)) };
    private OutboxStore _store;

    public ExpressionCacheTests() => _store = OutboxStore.Open(_dir, SyncedOutboxFiles.Instance, Password);

    public void Dispose()
    {
        _store.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void AppendingReadingDeletingAndReopening_OverNewSeqs_CompilesNoNewExpression()
    {
        Round(); // every form of look-up once
        var before = CachedExpressions();

        for (var i = 0; i < 20; i++)
        {
            Round();
        }

        Assert.Equal(before, CachedExpressions());
        Assert.Equal(21 * 10, _store.Heads[Lane.Telemetry].Seq + 1);
        Assert.Equal(21 * 2, _store.Heads[Lane.Alarm].Seq + 1);
    }

    /// <summary>What a gateway does all day, on new seqs each time: append, read the windows it publishes, delete what was receipted (a range) or acknowledged (single records), find a lane's first record, restart.</summary>
    private void Round()
    {
        var batch = new OutboxBatch();
        Append(batch, Lane.Telemetry, 10);
        Append(batch, Lane.Alarm, 2);
        _store.Commit(batch);

        var telemetry = _store.Heads[Lane.Telemetry].Seq;
        var window = _store.Read(Lane.Telemetry, telemetry - 9, telemetry, 5);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => telemetry - 9 + i), window.Select(r => r.Seq));
        var alarm = _store.Heads[Lane.Alarm].Seq;
        Assert.Equal([alarm - 1, alarm], _store.Read(Lane.Alarm, alarm - 1, alarm, 10).Select(r => r.Seq));

        var deletions = new OutboxBatch();
        deletions.DeleteThrough[Lane.Telemetry] = telemetry - 2; // a receipt
        deletions.Delete.Add(new RecordDeletion(Lane.Alarm, alarm - 1, Payload(alarm - 1).Length)); // a PUBACK without receipts
        _store.Commit(deletions);
        Assert.Equal(telemetry - 1, _store.MinSeq(Lane.Telemetry));
        Assert.Equal([alarm], _store.Read(Lane.Alarm, alarm - 1, alarm, 10).Select(r => r.Seq));

        _store.Dispose(); // a restart: the heads are checked against the records beyond them
        _store = OutboxStore.Open(_dir, SyncedOutboxFiles.Instance, Password);
        Assert.Equal(telemetry, _store.Heads[Lane.Telemetry].Seq);
    }

    private void Append(OutboxBatch batch, Lane lane, int count)
    {
        var (next, prev) = _chains[lane];
        for (var i = 0; i < count; i++, next++)
        {
            var payload = Payload(next);
            var hash = Convert.ToHexStringLower(SHA256.HashData(payload));
            batch.Records.Add(new StoredRecord(new ChainRecord(lane, Epoch, next, next == 0 ? "genesis" : "obs", prev, hash, payload), RecordClass.Vital));
            batch.Heads[lane] = new ChainState("gw-test", lane, Epoch, next, hash, 0, null);
            prev = hash;
        }

        _chains[lane] = (next, prev);
    }

    private static byte[] Payload(long seq) => Encoding.UTF8.GetBytes($"{{\"seq\":{seq}}}");

    private static int CachedExpressions() =>
        new[] { "_cacheScalar", "_cacheEnumerable" }.Sum(name =>
            ((ICollection)typeof(BsonExpression).GetField(name, BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!).Count);
}
