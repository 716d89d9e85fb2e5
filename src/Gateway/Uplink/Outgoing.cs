namespace EdgeTwin.Gateway.Uplink;

using EdgeTwin.Outbox;

/// <summary>A record on its way out: from the live queue (with its commit time) or from the backlog, or re-sent.</summary>
internal sealed record Outgoing(StoredRecord Record, bool Live, long CommittedTimestamp)
{
    /// <summary>Published again because no receipt covered it in time or the ingest asked for it.</summary>
    public bool Resent { get; init; }
}
