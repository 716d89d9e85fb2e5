namespace EdgeTwin.Gateway.Twin.Model;

using EdgeTwin.Telemetry.Records;

/// <summary>
/// The uplink and outbox as the twin reports them: connected to the broker, records waiting per
/// lane, and each lane's chain head.
/// </summary>
internal sealed record UplinkState(bool Connected, IReadOnlyDictionary<Lane, long> Backlog, IReadOnlyDictionary<Lane, LaneHead> Heads);
