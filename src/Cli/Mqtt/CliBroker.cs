namespace EdgeTwin.Cli.Mqtt;

using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;

/// <summary>How the commands reach a broker: <c>mqtt://HOST[:PORT]</c>, MQTT 5, a fresh client id, a clean session.</summary>
internal static class CliBroker
{
    public const string Usage = "--broker must be mqtt://HOST[:PORT]";

    /// <summary>The exceptions a broker conversation ends with; reported as one line, exit 2.</summary>
    public static bool IsBrokerProblem(Exception e) =>
        e is MqttCommunicationException or MqttConfigurationException or MqttProtocolViolationException or IOException
            or System.Net.Sockets.SocketException or OperationCanceledException or InvalidOperationException or ArgumentException;

    public static bool TryParse(string text, out string host, out int port)
    {
        host = string.Empty;
        port = 1883;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme != "mqtt" || string.IsNullOrEmpty(uri.Host)
            || (uri.AbsolutePath.Length > 1) || !string.IsNullOrEmpty(uri.Query))
        {
            return false;
        }

        host = uri.Host;
        port = uri.IsDefaultPort || uri.Port < 0 ? 1883 : uri.Port;
        return true;
    }

    public static MqttClientOptions Options(string host, int port, string purpose) => new MqttClientOptionsBuilder()
        .WithTcpServer(host, port)
        .WithClientId($"edgetwin-{purpose}-{Guid.NewGuid():N}")
        .WithCleanSession(true)
        .WithProtocolVersion(MqttProtocolVersion.V500)
        .WithTimeout(TimeSpan.FromSeconds(10))
        .Build();
}
