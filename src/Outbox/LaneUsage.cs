namespace EdgeTwin.Outbox;

/// <summary>Records and payload bytes a lane holds in the outbox; persisted with the head so start-up needs no scan.</summary>
public readonly record struct LaneUsage(long Records, long Bytes);
