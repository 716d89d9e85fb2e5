namespace EdgeTwin.Gateway.Broker;

using System.Net;
using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Mqtt;

/// <summary>Where the embedded broker listens and where the gateway's own uplink finds it.</summary>
internal static class EmbeddedBrokerAddress
{
    public static IPAddress Bind(UplinkOptions options) =>
        IPAddress.TryParse(options.EmbeddedBind, out var address)
            ? address
            : throw new StartupException("Uplink:EmbeddedBind", $"'{options.EmbeddedBind}' is not an IP address (loopback: 127.0.0.1).");

    /// <summary>The address the uplink connects to: the bound one, or loopback when bound to every address.</summary>
    public static BrokerAddress ForUplink(UplinkOptions options)
    {
        var bind = Bind(options);
        var host = bind.Equals(IPAddress.Any) ? "127.0.0.1" : bind.Equals(IPAddress.IPv6Any) ? "::1" : bind.ToString();
        return new BrokerAddress(host, options.EmbeddedPort, false);
    }
}
