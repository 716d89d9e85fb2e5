namespace EdgeTwin.Telemetry.Records;

/// <summary>Why a new epoch began (PROTOCOL §4 genesis <c>reason</c>).</summary>
public enum GenesisReason
{
    FirstStart,
    StoreLost,
    StoreCorrupt,

    /// <summary>The gateway key was rotated: the genesis carries the old key's <c>rotation</c> link (docs/protocol.md §4).</summary>
    KeyRotation,
}
