namespace EdgeTwin.Telemetry.Capture;

/// <summary>
/// One line of a capture file: the MQTT topic and the exact payload bytes. A line that is not a
/// valid capture entry comes back with <see cref="Problem"/> set and no payload, never dropped.
/// </summary>
public sealed record CaptureEntry(long Line, string? Topic, byte[]? Payload, string? Problem);
