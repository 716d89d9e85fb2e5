namespace EdgeTwin.Ingest.Storage;

/// <summary>
/// One alarm as the alarm managers know it: its identity (OBR-3, stable from raised to cleared),
/// the box's key for it (patient | device | condition), and its latest phase. <see cref="Open"/>
/// until a cleared record ends it.
/// </summary>
internal sealed record AcmAlertRow(
    string AlertId,
    string Gw,
    string Key,
    string Patient,
    string Device,
    string Condition,
    string Priority,
    string Phase,
    string State,
    bool Open,
    DateTimeOffset RaisedAt,
    DateTimeOffset UpdatedAt,
    int Updates,
    string? Bed = null);
