namespace EdgeTwin.Gateway.Status.Document;

/// <summary>Per lane, the age in seconds of the oldest record no receipt covers yet.</summary>
internal sealed record OldestUnreceipted(double Telemetry, double Alarm);
