namespace EdgeTwin.Outbox;

using EdgeTwin.Telemetry.Records;

/// <summary>
/// One record that may leave the outbox, with its payload size: the requester holds the record, so
/// the commit keeps the lane's byte count exact without reading the record back (which cost two
/// thirds of a deletion's time).
/// </summary>
public readonly record struct RecordDeletion(Lane Lane, long Seq, int Bytes);
