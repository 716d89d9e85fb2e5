namespace EdgeTwin.Gateway.Uplink;

using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Mqtt;
using EdgeTwin.Telemetry.Wire;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

/// <summary>
/// Builds the MQTT client options: MQTT 5 with a persistent session (clean start off, a week of
/// session expiry), the retained <c>{"online":false}</c> will on the status topic; server, login and
/// TLS come from <see cref="BrokerTransport"/>, shared with the ingest.
/// </summary>
internal static class MqttClientOptionsFactory
{
    /// <summary>
    /// QoS 1 messages the broker may send this gateway unacknowledged (its MQTT 5 Receive Maximum, instead
    /// of 65,535 when unstated). What the cloud sends a box is a few statements a second (receipts,
    /// re-send requests, desired state, alarm statuses), each read at once; the window bounds what a
    /// flood from anyone on the broker can queue in the gateway (MQTTnet reads into an unbounded queue).
    /// </summary>
    public const ushort ReceiveMaximum = 64;

    /// <summary>
    /// The largest MQTT packet this gateway takes (MQTT 5 Maximum Packet Size): a broker does not send it
    /// a larger one. A record is at most 64 KiB (PROTOCOL §9), and so is a signed document (SignedEnvelope); twice that leaves
    /// room for the topic and properties. With <see cref="ReceiveMaximum"/> it bounds the inbound
    /// queue to about 8 MiB.
    /// </summary>
    public const uint MaximumPacketSize = 2 * Limits.MaxEnvelopeBytes;

    /// <summary>The options of one connection; <paramref name="offlineStatus"/> is its signed will.</summary>
    public static MqttClientOptions Create(BrokerAddress broker, UplinkOptions options, string clientId, string statusTopic, byte[] offlineStatus)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithBroker(broker, options)
            .WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(false)
            .WithSessionExpiryInterval(7 * 24 * 3600)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(15))
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithReceiveMaximum(ReceiveMaximum)
            .WithMaximumPacketSize(MaximumPacketSize)
            .WithWillTopic(statusTopic)
            .WithWillPayload(offlineStatus)
            .WithWillRetain(true)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        return builder.Build();
    }
}
