namespace EdgeTwin.Telemetry.Desired;

using System.Text.Json.Nodes;

/// <summary>Desired twin state from the cloud (PROTOCOL §6): applied only when signed, for us, and newer.</summary>
public sealed record DesiredDocument(string Gw, long Version, DateTimeOffset Issued, JsonObject State);
