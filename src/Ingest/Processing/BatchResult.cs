namespace EdgeTwin.Ingest.Processing;

using EdgeTwin.Ingest.Storage;

/// <summary>What a committed batch allows to be sent and announced.</summary>
internal sealed record BatchResult(IReadOnlyList<ReceiptDue> Receipts, IReadOnlyList<AlertRow> Alerts, int Stored, int Duplicates, int Evidence, int AlarmsQueued = 0);
