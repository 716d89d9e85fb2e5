namespace EdgeTwin.Telemetry.Records;

/// <summary>Each lane is its own hash chain (PROTOCOL §3). Wire names: <c>telemetry</c>, <c>alarm</c>.</summary>
public enum Lane
{
    Telemetry,
    Alarm,
}
