namespace EdgeTwin.Gateway.Uplink;

using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Mqtt;
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
            .WithWillTopic(statusTopic)
            .WithWillPayload(offlineStatus)
            .WithWillRetain(true)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        return builder.Build();
    }
}
