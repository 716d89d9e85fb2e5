namespace EdgeTwin.Telemetry.Records;

/// <summary>Why a new epoch began (PROTOCOL §4 genesis <c>reason</c>).</summary>
public enum GenesisReason
{
    FirstStart,
    StoreLost,
    StoreCorrupt,
}
