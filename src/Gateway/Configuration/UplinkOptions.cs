namespace EdgeTwin.Gateway.Configuration;

using System.ComponentModel.DataAnnotations;
using EdgeTwin.Drivers.Configuration;
using EdgeTwin.Mqtt;

/// <summary><c>Uplink:*</c> settings: where records go and how hard the link is pushed.</summary>
internal sealed class UplinkOptions : BrokerTransportSettings, IValidatableObject
{
    public const string Section = "Uplink";

    /// <summary><c>mqtt://host:port</c> or <c>mqtts://host:port</c>; empty = embedded broker on loopback.</summary>
    public string? Broker { get; set; }

    /// <summary>Port of the embedded broker (only when <see cref="Broker"/> is empty).</summary>
    [Range(1, 65535)]
    public int EmbeddedPort { get; set; } = 1883;

    /// <summary>Address the embedded broker listens on: loopback unless a site deliberately opens it (then with a login).</summary>
    public string EmbeddedBind { get; set; } = "127.0.0.1";

    /// <summary>Clients the embedded broker takes besides the gateway itself.</summary>
    [Range(1, 10_000)]
    public int EmbeddedMaxConnections { get; set; } = 32;

    /// <summary>Largest message the embedded broker takes: just above the 64 KiB record limit (PROTOCOL §9).</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int EmbeddedMaxPayloadBytes { get; set; } = 65_536 + 4_096;

    /// <summary>Login other clients of the embedded broker must give (required when it listens beyond loopback).</summary>
    public string? EmbeddedUsername { get; set; }

    public string? EmbeddedPassword { get; set; }

    [Required]
    [RegularExpression("^[^#+]+[^/#+]$", ErrorMessage = "Uplink:TopicPrefix must not contain MQTT wildcards or end with '/'.")]
    public string TopicPrefix { get; set; } = "edgetwin/v1";

    /// <summary>Keep records until the cloud's receipt covers them; false: until the broker's PUBACK.</summary>
    public bool Receipts { get; set; }

    /// <summary>
    /// Addresses of the ingest keys whose receipts and re-send requests the gateway acts on
    /// (PROTOCOL §7); required when <see cref="Receipts"/> is on. Anything signed by another key
    /// deletes and sends nothing.
    /// </summary>
    public List<string> ReceiptSigners { get; set; } = [];

    /// <summary>With receipts on: records no receipt covers this long after they were published are published again.</summary>
    [TimeSpanRange("00:00:01", "1.00:00:00")]
    public TimeSpan ResendAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Most records re-sent per lane in one <see cref="ResendAfter"/> period, by the timer and by
    /// re-send requests each (the bound on what a re-send can cost the link).
    /// </summary>
    [Range(1, 1_000_000)]
    public int ResendMaxRecords { get; set; } = 20_000;

    /// <summary>Empty = <c>Gateway:Name</c>.</summary>
    public string? ClientId { get; set; }

    /// <summary>Publishes awaiting PUBACK at once.</summary>
    [Range(1, 1024)]
    public int MaxInFlight { get; set; } = 64;

    /// <summary>Deadline of one publish (MQTTnet ignores its own client timeout for publishes).</summary>
    [TimeSpanRange("00:00:00.100", "00:10:00")]
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often the uplink sends itself a QoS 1 probe through the broker when none is out, on
    /// <c>&lt;prefix&gt;/gateway.probe/&lt;name&gt;</c>, to notice a connection that stays up but delivers
    /// nothing (no receipts, desired state or alarm statuses while they are sent); 0 turns it off. A
    /// probe costs about 200 bytes each way on the link.
    /// </summary>
    [TimeSpanRange("00:00:00", "01:00:00")]
    public TimeSpan ReceiveProbeInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>With a probe out, nothing received at QoS 1 for this long is a stalled connection: logged (1096), counted, and made again.</summary>
    [TimeSpanRange("00:00:00.100", "01:00:00")]
    public TimeSpan ReceiveStallAfter { get; set; } = TimeSpan.FromMinutes(3);

    [TimeSpanRange("00:00:00.010", "00:10:00")]
    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromSeconds(1);

    [TimeSpanRange("00:00:00.010", "01:00:00")]
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Share of publishes the backlog gets while live records are also waiting.</summary>
    [Range(0.05, 0.95)]
    public double BacklogShare { get; set; } = 0.25;

    /// <summary>How long a graceful stop keeps publishing before it gives up (the outbox keeps the rest).</summary>
    [TimeSpanRange("00:00:00", "00:05:00")]
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ReconnectMaxDelay < ReconnectMinDelay)
        {
            yield return new ValidationResult($"Uplink:ReconnectMaxDelay ({ReconnectMaxDelay}) must not be shorter than Uplink:ReconnectMinDelay ({ReconnectMinDelay}).", [nameof(ReconnectMaxDelay)]);
        }

        if (ReceiveProbeInterval > TimeSpan.Zero && ReceiveStallAfter <= ReceiveProbeInterval)
        {
            yield return new ValidationResult($"Uplink:ReceiveStallAfter ({ReceiveStallAfter}) must be longer than Uplink:ReceiveProbeInterval ({ReceiveProbeInterval}): a probe needs time to come back before its absence counts as a stalled connection (or set Uplink:ReceiveProbeInterval=0 to turn probing off).", [nameof(ReceiveStallAfter)]);
        }
    }
}
