namespace EdgeTwin.Drivers.Hl7;

using System.Net;
using EdgeTwin.Hl7v2;

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
    int RecentIdCapacity = 1024,
    IReadOnlyList<IPNetwork>? AllowedPeers = null,
    MllpTlsSettings? Tls = null)
{
    public const int DefaultPort = 2575;

    public const int DefaultMaxFrameBytes = 64 * 1024;

    /// <summary>Who may connect when nothing is configured: this box only.</summary>
    public static IReadOnlyList<IPNetwork> LoopbackOnly { get; } = [new(IPAddress.Loopback, 8), new(IPAddress.IPv6Loopback, 128)];

    /// <summary>How long a frame, from its start block to its end, may take before the connection is dropped (also bounds a TLS handshake).</summary>
    public TimeSpan FrameTimeout => ReadTimeout ?? TimeSpan.FromSeconds(10);

    /// <summary>Connected but no accepted message for this long: Degraded.</summary>
    public TimeSpan DegradedAfter => SilenceDegraded ?? TimeSpan.FromSeconds(30);

    /// <summary>No connection (or no message) for this long: Lost. A link silent this long is taken as dead: another allowed peer may then take over.</summary>
    public TimeSpan LostAfterSilence => LostAfter ?? TimeSpan.FromSeconds(120);

    /// <summary>The peers connections are taken from (addresses or networks); others are closed at once.</summary>
    public IReadOnlyList<IPNetwork> Peers => AllowedPeers is { Count: > 0 } peers ? peers : LoopbackOnly;

    public bool Allows(IPAddress peer) => PeerNetworks.Allows(Peers, peer);
}
