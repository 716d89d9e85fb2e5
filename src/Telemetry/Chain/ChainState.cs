namespace EdgeTwin.Telemetry.Chain;

using EdgeTwin.Telemetry.Records;

/// <summary>
/// Everything a <c>ChainWriter</c> needs to continue a chain after a restart; persisted with each
/// record in the same transaction. <see cref="Seq"/>/<see cref="Hash"/> are those of the last record
/// written. <see cref="UncoveredCount"/> records after the last checkpoint are not yet signed;
/// <see cref="FirstUncoveredAt"/> is when the first of them was written (null when none).
/// <see cref="Key"/> is the address of the key the chain's genesis names (null in a state persisted
/// before it was kept): no other key may sign the chain's checkpoints.
/// </summary>
public sealed record ChainState(
    string Gw,
    Lane Lane,
    string Epoch,
    long Seq,
    string Hash,
    long UncoveredCount,
    DateTimeOffset? FirstUncoveredAt,
    string? Key = null);
