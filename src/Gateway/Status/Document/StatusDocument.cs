namespace EdgeTwin.Gateway.Status.Document;

using System.Text.Json.Nodes;

/// <summary><c>GET /status</c>: heads, stored records, backlog, connection, storage, devices and model.</summary>
internal sealed record StatusDocument(
    string Gw,
    string Site,
    string Software,
    bool Connected,
    int InFlight,
    int Live,
    long Backlog,
    string? Quarantined,
    LanesStatus Lanes,
    string Annunciation,
    StorageStatus Storage,
    JsonObject Devices,
    JsonObject? Model,
    OldestUnreceipted OldestUnreceiptedSeconds);
