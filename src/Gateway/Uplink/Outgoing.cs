namespace EdgeTwin.Gateway.Uplink;

using EdgeTwin.Outbox;

/// <summary>A record on its way out: from the live queue (with its commit time) or from the backlog.</summary>
internal sealed record Outgoing(StoredRecord Record, bool Live, long CommittedTimestamp);
