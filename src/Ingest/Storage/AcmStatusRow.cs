namespace EdgeTwin.Ingest.Storage;

/// <summary>A PCD-05 alert status recorded against an alarm: <c>delivered</c>, <c>read</c>, <c>accepted</c> or <c>rejected</c>, by whom and when.</summary>
internal sealed record AcmStatusRow(
    string AlertId,
    string Status,
    string? Who,
    DateTimeOffset At,
    DateTimeOffset ReceivedAt,
    string Peer,
    string ControlId)
{
    public long Id { get; init; }
}
