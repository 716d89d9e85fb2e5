namespace EdgeTwin.Gateway.Status.Document;

/// <summary>The two lanes of <see cref="StatusDocument"/>.</summary>
internal sealed record LanesStatus(LaneStatus Telemetry, LaneStatus Alarm);
