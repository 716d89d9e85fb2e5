namespace EdgeTwin.Gateway.Tests.Uplink;

using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Uplink;
using EdgeTwin.Mqtt;

/// <summary>
/// What the gateway asks of the broker when it connects: a receive window and a largest packet, so
/// nobody on the broker can queue more than about 8 MiB of statements in the box (docs/operations.md
/// "What the box takes from the broker"). Whether a broker honours them is the broker's part
/// (MQTT 5 §3.1.2.11.3-4; mosquitto 2 does).
/// </summary>
public sealed class MqttClientOptionsFactoryTests
{
    [Fact]
    public void Connect_StatesAReceiveMaximumOf64_AndAMaximumPacketOf128KiB_OnMqtt5()
    {
        Assert.True(BrokerAddress.TryParse("mqtt://127.0.0.1:1883", out var broker, out _));
        var options = MqttClientOptionsFactory.Create(broker!, new UplinkOptions(), "gw-test", "edgetwin/v1/site/gw-test/status", "{}"u8.ToArray());

        Assert.Equal(MQTTnet.Formatter.MqttProtocolVersion.V500, options.ProtocolVersion);
        Assert.Equal(64, options.ReceiveMaximum);
        Assert.Equal(128u * 1024, options.MaximumPacketSize);
    }
}
