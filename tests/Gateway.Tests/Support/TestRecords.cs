namespace EdgeTwin.Gateway.Tests.Support;

using System.Security.Cryptography;
using System.Text;
using EdgeTwin.Outbox;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;

/// <summary>Builds linked records and heads by hand for store-level tests (no signing needed there).</summary>
internal sealed class TestRecords(Lane lane, string epoch = "0123456789abcdef0123456789abcdef")
{
    private string _prev = new('0', 64);

    public long Next { get; private set; }

    public string Epoch => epoch;

    public (StoredRecord Record, ChainState Head) Make(RecordClass recordClass = RecordClass.Vital, int size = 100)
    {
        var payload = Encoding.UTF8.GetBytes($"{{\"seq\":{Next},\"pad\":\"{new string('x', size)}\"}}");
        var hash = Convert.ToHexStringLower(SHA256.HashData(payload));
        var record = new StoredRecord(new ChainRecord(lane, epoch, Next, Next == 0 ? "genesis" : "obs", _prev, hash, payload), recordClass, Samples(Next));
        var head = new ChainState("gw-test", lane, epoch, Next, hash, 0, null);
        _prev = hash;
        Next++;
        return (record, head);
    }

    /// <summary>The samples record <paramref name="seq"/> is said to carry (an obs record: 1..5; the genesis none).</summary>
    public static int Samples(long seq) => seq == 0 ? 0 : (int)(seq % 5) + 1;

    public OutboxBatch Batch(int count, RecordClass recordClass = RecordClass.Vital, int size = 100)
    {
        var batch = new OutboxBatch();
        for (var i = 0; i < count; i++)
        {
            var (record, head) = Make(recordClass, size);
            batch.Records.Add(record);
            batch.Heads[lane] = head;
        }

        return batch;
    }
}
