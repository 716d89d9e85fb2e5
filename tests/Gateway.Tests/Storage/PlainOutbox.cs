namespace EdgeTwin.Gateway.Tests.Storage;

using EdgeTwin.Gateway.Tests.Support;
using EdgeTwin.Outbox;
using EdgeTwin.Outbox.Durability;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;

/// <summary>An outbox as written before encryption at rest: both lanes, a receipt applied, so heads and usage are not trivial.</summary>
internal sealed record PlainOutbox(Dictionary<Lane, ChainState> Heads, Dictionary<Lane, LaneUsage> Usage, Dictionary<Lane, List<StoredRecord>> Records)
{
    /// <summary>Bytes every stored payload holds (<see cref="TestRecords"/>): found in a plain file, never in an encrypted one.</summary>
    public static readonly byte[] Marker = "\"pad\":\"xxxxxxxxxxxxxxxx"u8.ToArray();

    public static PlainOutbox Write(string directory)
    {
        Directory.CreateDirectory(directory);
        using var store = OutboxStore.OpenPlain(directory, SyncedOutboxFiles.Instance);
        var telemetry = new TestRecords(Lane.Telemetry);
        var alarm = new TestRecords(Lane.Alarm, "fedcba9876543210fedcba9876543210");
        for (var i = 0; i < 5; i++)
        {
            store.Commit(telemetry.Batch(20));
            store.Commit(alarm.Batch(3, RecordClass.Keep));
        }

        var receipt = new OutboxBatch();
        receipt.DeleteThrough[Lane.Telemetry] = 9;
        store.Commit(receipt);
        return Read(store);
    }

    public static PlainOutbox Read(OutboxStore store)
    {
        var lanes = new[] { Lane.Telemetry, Lane.Alarm };
        return new PlainOutbox(
            new Dictionary<Lane, ChainState>(store.Heads),
            lanes.ToDictionary(l => l, store.Usage),
            lanes.ToDictionary(l => l, l => store.Read(l, 0, 1_000_000, 1_000_000)));
    }

    public void AssertSameAs(PlainOutbox other)
    {
        Assert.Equal(Heads, other.Heads);
        Assert.Equal(Usage, other.Usage);
        foreach (var (lane, records) in Records)
        {
            Assert.Equal(records.Select(r => (r.Seq, r.Kind, r.Class, r.Prev, r.Hash, Convert.ToHexString(r.Payload))),
                other.Records[lane].Select(r => (r.Seq, r.Kind, r.Class, r.Prev, r.Hash, Convert.ToHexString(r.Payload))));
        }
    }

    /// <summary>Whether the file shows the marker; a missing or empty file fails the test rather than passing it as "no plaintext".</summary>
    public static bool HoldsMarker(string path)
    {
        Assert.True(File.Exists(path) && new FileInfo(path).Length > 0, $"{path} must exist and hold data for its bytes to prove anything");
        return File.ReadAllBytes(path).AsSpan().IndexOf(Marker) >= 0;
    }
}
