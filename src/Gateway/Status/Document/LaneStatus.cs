namespace EdgeTwin.Gateway.Status.Document;

/// <summary>A lane's head, what its outbox holds and, once it has a chain, what the chain counted.</summary>
internal sealed record LaneStatus(string Epoch, long Seq, string Hash, long StoredRecords, long StoredBytes, ChainedStatus? Chained);
