namespace EdgeTwin.Gateway.Twin.Model;

using EdgeTwin.Telemetry.Records;

/// <summary>
/// The uplink and outbox as the twin reports them: connected to the broker, records waiting per
/// lane, each lane's chain head, and since when the outbox has been full (null: it takes records).
/// </summary>
internal sealed record UplinkState(bool Connected, IReadOnlyDictionary<Lane, long> Backlog, IReadOnlyDictionary<Lane, LaneHead> Heads,
    DateTimeOffset? StorageFullSince = null);
