namespace EdgeTwin.Ingest.Anchoring;

using EdgeTwin.Ingest.Storage;

/// <summary>
/// The leaf log and the anchors, beside the records (both backends implement it). Leaves are added
/// inside the batch transaction that verifies their checkpoint (<see cref="IWriteSession.AddAnchorLeavesAsync"/>);
/// positions are given only by <see cref="PrepareAnchorAsync"/>, in the order the leaves were added,
/// so concurrent workers cannot interleave a tree.
/// </summary>
internal interface IAnchorStore
{
    /// <summary>The latest anchor, prepared or anchored; null before the first.</summary>
    Task<AnchorRow?> LastAnchorAsync(CancellationToken ct);

    Task<AnchorRow?> AnchorAsync(long index, CancellationToken ct);

    /// <summary>The anchor whose leaves include <paramref name="position"/>.</summary>
    Task<AnchorRow?> AnchorCoveringAsync(long position, CancellationToken ct);

    /// <summary>Latest first.</summary>
    Task<IReadOnlyList<AnchorRow>> AnchorsAsync(int limit, CancellationToken ct);

    /// <summary>
    /// Under one lock: when the latest anchor is anchored (or there is none) and leaves wait, gives up
    /// to <paramref name="maxLeaves"/> of them the next positions, computes the root with
    /// <paramref name="root"/> over their hashes in position order, and keeps the new prepared anchor.
    /// Returns the latest anchor when it is still prepared, the new one, or null when nothing waits.
    /// </summary>
    Task<AnchorRow?> PrepareAnchorAsync(int maxLeaves, Func<IReadOnlyList<string>, string> root, DateTimeOffset now, CancellationToken ct);

    Task ConfirmAnchorAsync(long index, long chainId, string contract, string tx, long block, DateTimeOffset at, CancellationToken ct);

    /// <summary>Leaf hashes of positions [from, from + count), in position order.</summary>
    Task<IReadOnlyList<string>> LeafHashesAsync(long from, long count, CancellationToken ct);

    /// <summary>The leaf of a checkpoint, or null when that checkpoint is not in the leaf log.</summary>
    Task<AnchorLeafRow?> LeafAsync(ChainId chain, long seq, CancellationToken ct);

    /// <summary>
    /// The chain's leaf of the highest seq whose position is below <paramref name="below"/> (a leaf of
    /// an anchor that ends there or before), or null when none is: what of the chain the anchors hold.
    /// </summary>
    Task<AnchorLeafRow?> LatestLeafBelowAsync(ChainId chain, long below, CancellationToken ct);

    /// <summary>Leaves [from, from + count) with the stored checkpoint record's bytes.</summary>
    Task<IReadOnlyList<AuditLeaf>> AuditLeavesAsync(long from, long count, CancellationToken ct);

    /// <summary>The record at <paramref name="seq"/> and each after it through the first checkpoint at or above it (at most <paramref name="limit"/>).</summary>
    Task<IReadOnlyList<RecordRow>> ThroughCheckpointAsync(ChainId chain, long seq, int limit, CancellationToken ct);

    Task AddAlertAsync(AlertRow alert, CancellationToken ct);
}
