namespace EdgeTwin.Ingest.Storage;

/// <summary>
/// One PCD-04 for one alarm manager, queued in the transaction that verified its alarm record.
/// <see cref="Status"/>: <c>queued</c>, <c>sent</c> (written, no ACK yet), <c>acked</c> (MSA-1 AA/CA),
/// <c>failed</c> (AE more than the limit allows) or <c>rejected</c> (AR/CR). <see cref="Id"/> is the
/// queue order (0 until stored).
/// </summary>
internal sealed record AcmMessageRow(
    long Id,
    string Manager,
    string ControlId,
    string AlertId,
    string Gw,
    string Message,
    DateTimeOffset QueuedAt,
    string Status,
    int Attempts,
    int ErrorAnswers,
    DateTimeOffset? LastAttemptAt,
    DateTimeOffset? DoneAt,
    string? Detail)
{
    public const string Queued = "queued";
    public const string Sent = "sent";
    public const string Acked = "acked";
    public const string Failed = "failed";
    public const string Rejected = "rejected";

    public bool Outstanding => Status is Queued or Sent;
}
