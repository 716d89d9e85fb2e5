namespace EdgeTwin.Gateway.Broker;

using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Diagnostics;
using EdgeTwin.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using MQTTnet.Server;

/// <summary>
/// With <c>Uplink:Broker</c> empty, an in-process MQTT broker so a newcomer sees data flowing with
/// nothing installed. A development and single-box default, not a site broker, and it treats every
/// other client as a stranger: it listens on loopback unless <c>Uplink:EmbeddedBind</c> says
/// otherwise (and then only with a login), reserves the gateway's own client id for the gateway's
/// uplink (<see cref="EmbeddedBrokerSecret"/>), caps the connections of other clients, and drops
/// any message larger than a record can be (PROTOCOL §9) and disconnects its sender. Each refusal is
/// counted (<c>edgetwin.rejected</c>) and logged, coalesced per reason.
/// </summary>
internal sealed class EmbeddedBroker(
    IOptions<UplinkOptions> options,
    IOptions<GatewayOptions> gateway,
    EmbeddedBrokerSecret secret,
    GatewayMetrics metrics,
    TimeProvider time,
    ILogger<EmbeddedBroker> logger) : IHostedService, IDisposable
{
    private readonly ConcurrentDictionary<string, byte> _others = new();
    private readonly LogThrottle _throttle = new(time, TimeSpan.FromMinutes(1));
    private MqttServer? _server;

    public bool Enabled => string.IsNullOrWhiteSpace(options.Value.Broker);

    /// <summary>The client id the gateway's uplink connects with (reserved).</summary>
    private string OwnClientId => string.IsNullOrWhiteSpace(options.Value.ClientId) ? gateway.Value.Name : options.Value.ClientId;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return;
        }

        var o = options.Value;
        var bind = EmbeddedBrokerAddress.Bind(o); // loopback unless opened with a login (EnvironmentValidator)
        var builder = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointPort(o.EmbeddedPort)
            .WithPersistentSessions();
        builder = bind.AddressFamily == AddressFamily.InterNetworkV6
            ? builder.WithDefaultEndpointBoundIPAddress(IPAddress.None).WithDefaultEndpointBoundIPV6Address(bind)
            : builder.WithDefaultEndpointBoundIPAddress(bind).WithDefaultEndpointBoundIPV6Address(IPAddress.None);
        _server = new MqttServerFactory().CreateMqttServer(builder.Build());
        _server.ValidatingConnectionAsync += ValidateAsync;
        _server.ClientConnectedAsync += e =>
        {
            if (e.ClientId != OwnClientId)
            {
                _others[e.ClientId] = 0;
            }

            return Task.CompletedTask;
        };
        _server.ClientDisconnectedAsync += e =>
        {
            _others.TryRemove(e.ClientId, out _);
            return Task.CompletedTask;
        };
        _server.InterceptingPublishAsync += InterceptPublishAsync;
        try
        {
            await _server.StartAsync().ConfigureAwait(false);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new StartupException("Uplink:Broker",
                $"it is empty, so the embedded broker must listen on {bind}:{o.EmbeddedPort}, but that port is in use. " +
                $"Stop the other broker, set Uplink:Broker=mqtt://127.0.0.1:{o.EmbeddedPort} to use it, or set Uplink:EmbeddedPort.", ex);
        }

        GatewayLog.BrokerStarted(logger, o.EmbeddedPort, o.TopicPrefix);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null)
        {
            await _server.StopAsync().ConfigureAwait(false);
        }
    }

    public void Dispose() => _server?.Dispose();

    /// <summary>Who may connect: the gateway's own uplink by its secret; anyone else within the cap and, when configured, with the login.</summary>
    internal Task ValidateAsync(ValidatingConnectionEventArgs e)
    {
        var o = options.Value;
        var own = secret.Matches(e.UserName, e.Password);
        var clientId = e.ClientId;
        string? problem;
        if (string.IsNullOrEmpty(clientId) && e.ProtocolVersion == MqttProtocolVersion.V500)
        {
            // MQTT 5 lets a client leave its id to the broker (mosquitto_sub -V mqttv5 without -i).
            clientId = e.AssignedClientIdentifier = $"auto-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";
        }

        if (string.IsNullOrEmpty(clientId))
        {
            problem = "no client id: give one (mosquitto_sub -i NAME) or connect with MQTT 5 (-V mqttv5) and the broker assigns one";
            e.ReasonCode = MqttConnectReasonCode.ClientIdentifierNotValid;
        }
        else if (clientId == OwnClientId || e.UserName == EmbeddedBrokerSecret.Username)
        {
            problem = own && clientId == OwnClientId ? null : "the gateway's own client id and login are reserved for the gateway";
            e.ReasonCode = problem is null ? MqttConnectReasonCode.Success : MqttConnectReasonCode.NotAuthorized;
        }
        else if (!string.IsNullOrEmpty(o.EmbeddedUsername) && !(e.UserName == o.EmbeddedUsername && SameSecret(e.Password, o.EmbeddedPassword)))
        {
            problem = "bad username or password";
            e.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
        }
        else if (!_others.ContainsKey(clientId) && _others.Count >= o.EmbeddedMaxConnections)
        {
            problem = $"connection cap reached ({o.EmbeddedMaxConnections} clients besides the gateway)";
            e.ReasonCode = MqttConnectReasonCode.ServerUnavailable;
        }
        else
        {
            // The slot is taken now, not when the connection event comes (that may follow the CONNACK,
            // so a client connecting right after would still see the old count and pass the cap).
            _others[clientId] = 0;
            problem = null;
        }

        if (problem is not null)
        {
            metrics.Rejected("broker-connection");
            if (_throttle.ShouldLog("connect:" + problem, out var suppressed))
            {
                BrokerLog.Refused(logger, clientId ?? string.Empty, e.RemoteEndPoint?.ToString() ?? "?", problem, suppressed);
            }
        }

        return Task.CompletedTask;
    }

    private Task InterceptPublishAsync(InterceptingPublishEventArgs e)
    {
        var length = e.ApplicationMessage.Payload.Length;
        var limit = options.Value.EmbeddedMaxPayloadBytes;
        if (length <= limit)
        {
            return Task.CompletedTask;
        }

        // Neither delivered nor retained; the sender is cut off so it cannot keep the broker busy.
        e.ProcessPublish = false;
        metrics.Rejected("broker-oversize");
        if (_throttle.ShouldLog("oversize", out var suppressed))
        {
            BrokerLog.Oversize(logger, e.ClientId, e.ApplicationMessage.Topic, length, limit, suppressed);
        }

        var server = _server;
        var clientId = e.ClientId;
        if (server is not null && clientId != OwnClientId)
        {
            _ = Task.Run(async () =>
            {
                try
                {
                    await server.DisconnectClientAsync(clientId, new MqttServerClientDisconnectOptions { ReasonCode = MqttDisconnectReasonCode.PacketTooLarge }).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException or IOException or ObjectDisposedException)
                {
                    // Already gone.
                }
            });
        }

        return Task.CompletedTask;
    }

    private static bool SameSecret(string? given, string? expected) =>
        given is not null && expected is not null &&
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));
}
