namespace EdgeTwin.Outbox;

using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;

/// <summary>
/// One group commit: new records with the chain heads they lead to, plus deletions (receipted,
/// PUBACKed or evicted behind a gap record that is in <see cref="Records"/>). The records and heads
/// are all or nothing; deletions may stop part-way (<see cref="DeleteBudget"/>, an alarm waiting),
/// and the commit says how far it got so the rest goes with a later one.
/// </summary>
public sealed class OutboxBatch
{
    public List<StoredRecord> Records { get; } = [];

    public Dictionary<Lane, ChainState> Heads { get; } = [];

    /// <summary>Delete every record of the lane with seq &lt;= the value (a receipt).</summary>
    public Dictionary<Lane, long> DeleteThrough { get; } = [];

    /// <summary>Delete single records (PUBACK without receipts, eviction), each with its payload size for the usage count.</summary>
    public List<RecordDeletion> Delete { get; } = [];

    /// <summary>
    /// The seqs of a lane handed to the broker so far (ranges, replacing what the store holds), kept
    /// with the lane's head so that after a restart the gateway knows which held records the cloud
    /// may have (a gap must never say "dropped unsent" of one).
    /// </summary>
    public Dictionary<Lane, IReadOnlyList<(long From, long To)>> Published { get; } = [];

    /// <summary>Most records this commit deletes (receipt ranges and single deletions together).</summary>
    public int DeleteBudget { get; set; } = int.MaxValue;

    /// <summary>Set by the commit: how many of <see cref="Delete"/>, from the start, it applied.</summary>
    public int DeletesApplied { get; set; }

    /// <summary>Set by the commit: receipt ranges it did not finish (the lane still holds records at or below the value).</summary>
    public Dictionary<Lane, long> DeleteThroughLeft { get; } = [];

    public bool IsEmpty => Records.Count == 0 && Heads.Count == 0 && DeleteThrough.Count == 0 && Delete.Count == 0 && Published.Count == 0;
}
