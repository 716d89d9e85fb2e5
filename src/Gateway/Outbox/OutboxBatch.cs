namespace EdgeTwin.Gateway.Outbox;

using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;

/// <summary>
/// One group commit: new records with the chain heads they lead to, plus deletions (receipted,
/// PUBACKed or evicted behind a gap record that is in <see cref="Records"/>). All or nothing.
/// </summary>
internal sealed class OutboxBatch
{
    public List<StoredRecord> Records { get; } = [];

    public Dictionary<Lane, ChainState> Heads { get; } = [];

    /// <summary>Delete every record of the lane with seq &lt;= the value (a receipt).</summary>
    public Dictionary<Lane, long> DeleteThrough { get; } = [];

    /// <summary>Delete single records (PUBACK without receipts, eviction).</summary>
    public List<(Lane Lane, long Seq)> Delete { get; } = [];

    public bool IsEmpty => Records.Count == 0 && Heads.Count == 0 && DeleteThrough.Count == 0 && Delete.Count == 0;
}
