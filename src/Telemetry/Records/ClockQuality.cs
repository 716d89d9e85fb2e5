namespace EdgeTwin.Telemetry.Records;

/// <summary>Whether the gateway clock was known good when a record was made (PROTOCOL §3 <c>clock</c>).</summary>
public enum ClockQuality
{
    Synced,
    Unsynced,
}
