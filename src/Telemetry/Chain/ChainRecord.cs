namespace EdgeTwin.Telemetry.Chain;

using EdgeTwin.Telemetry.Records;

/// <summary>
/// A record as it will be published: <see cref="Payload"/> are the exact bytes, <see cref="Hash"/>
/// their lowercase hex SHA-256 (PROTOCOL §3). Never re-serialise a record.
/// </summary>
public sealed record ChainRecord(Lane Lane, string Epoch, long Seq, string Kind, string Prev, string Hash, byte[] Payload);
