namespace EdgeTwin.Gateway.Broker;

using System.Net;
using System.Net.Sockets;
using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet.Server;

/// <summary>
/// With <c>Uplink:Broker</c> empty, an in-process MQTT broker on 127.0.0.1 so a newcomer sees data
/// flowing with nothing installed. Loopback only: it is a development default, not a site broker.
/// </summary>
internal sealed class EmbeddedBroker(IOptions<UplinkOptions> options, ILogger<EmbeddedBroker> logger) : IHostedService, IDisposable
{
    private MqttServer? _server;

    public bool Enabled => string.IsNullOrWhiteSpace(options.Value.Broker);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return;
        }

        var port = options.Value.EmbeddedPort;
        var serverOptions = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointBoundIPV6Address(IPAddress.None)
            .WithDefaultEndpointPort(port)
            .WithPersistentSessions()
            .Build();
        _server = new MqttServerFactory().CreateMqttServer(serverOptions);
        try
        {
            await _server.StartAsync().ConfigureAwait(false);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new StartupException("Uplink:Broker",
                $"it is empty, so the embedded broker must listen on 127.0.0.1:{port}, but that port is in use. " +
                $"Stop the other broker, set Uplink:Broker=mqtt://127.0.0.1:{port} to use it, or set Uplink:EmbeddedPort.", ex);
        }

        GatewayLog.BrokerStarted(logger, port, options.Value.TopicPrefix);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null)
        {
            await _server.StopAsync().ConfigureAwait(false);
        }
    }

    public void Dispose() => _server?.Dispose();
}
