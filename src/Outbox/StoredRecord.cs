namespace EdgeTwin.Outbox;

using EdgeTwin.Telemetry.Records;

/// <summary>A committed record as the uplink reads it back: the exact payload bytes and what retention needs.</summary>
public sealed record StoredRecord(Lane Lane, long Seq, string Kind, RecordClass Class, string Prev, string Hash, byte[] Payload);
