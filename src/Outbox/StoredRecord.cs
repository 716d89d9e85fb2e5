namespace EdgeTwin.Outbox;

using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;

/// <summary>
/// A committed record as the uplink reads it back: the chain record itself (exact payload bytes) and
/// what eviction may do with it. The store keeps the epoch once per lane (its head), not per row.
/// <see cref="Samples"/>: the samples an <c>obs</c> record carries, given when it is appended and
/// added to the lane's <see cref="LaneCounts"/> by the commit that writes it; not kept per row (0
/// when read back).
/// </summary>
public sealed record StoredRecord(ChainRecord Record, RecordClass Class, int Samples = 0)
{
    public Lane Lane => Record.Lane;

    public long Seq => Record.Seq;

    public string Kind => Record.Kind;

    public string Prev => Record.Prev;

    public string Hash => Record.Hash;

    public byte[] Payload => Record.Payload;
}
