namespace EdgeTwin.Gateway.Uplink;

using System.Text;
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
    public static readonly byte[] OfflinePayload = Encoding.UTF8.GetBytes("""{"online":false}""");

    public static MqttClientOptions Create(BrokerAddress broker, UplinkOptions options, string clientId, string statusTopic)
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
            .WithWillPayload(OfflinePayload)
            .WithWillRetain(true)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        return builder.Build();
    }
}
