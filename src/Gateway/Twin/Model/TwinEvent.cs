namespace EdgeTwin.Gateway.Twin.Model;

using System.Text.Json.Nodes;

/// <summary>An <c>event</c> record to append to the telemetry chain (PROTOCOL §4): its type and other members.</summary>
internal sealed record TwinEvent(string Type, JsonObject Fields);
