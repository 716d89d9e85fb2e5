namespace EdgeTwin.Drivers.Hl7;

using System.Net;

/// <summary>How one <c>hl7-mllp</c> device listens and judges its monitor (see docs/drivers.md).</summary>
internal sealed record Hl7MllpSettings(
    string DeviceId,
    IPAddress Address,
    int Port,
    TimeZoneInfo LocalTimeZone,
    string? SendingApplication = null,
    string? SendingFacility = null,
    int MaxFrameBytes = Hl7MllpSettings.DefaultMaxFrameBytes,
    TimeSpan? ReadTimeout = null,
    TimeSpan? SilenceDegraded = null,
    TimeSpan? LostAfter = null,
    int RecentIdCapacity = 1024)
{
    public const int DefaultPort = 2575;

    public const int DefaultMaxFrameBytes = 64 * 1024;

    /// <summary>How long a started frame may take to complete before the connection is dropped.</summary>
    public TimeSpan FrameTimeout => ReadTimeout ?? TimeSpan.FromSeconds(10);

    /// <summary>Connected but no accepted message for this long: Degraded.</summary>
    public TimeSpan DegradedAfter => SilenceDegraded ?? TimeSpan.FromSeconds(30);

    /// <summary>No connection (or no message) for this long: Lost.</summary>
    public TimeSpan LostAfterSilence => LostAfter ?? TimeSpan.FromSeconds(120);
}
