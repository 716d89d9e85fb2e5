namespace EdgeTwin.Integration.Tests.Gateway;

using System.Collections.Concurrent;
using EdgeTwin.Integration.Tests.Support;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Formatter;

/// <summary>
/// The embedded broker against a local stranger (issue: "the embedded broker accepts any local
/// client, lets it take over the gateway's own client id, and accepted a 100 MB payload"): one real
/// gateway process with its embedded broker, a login and a cap of three other clients.
/// </summary>
public sealed class EmbeddedBrokerTests : IAsyncLifetime
{
    private const string User = "ward-viewer";
    private const string Password = "correct horse battery staple";
    private readonly string _dir = Directory.CreateTempSubdirectory("edgetwin-it-broker-").FullName;
    private readonly int _port = Mosquitto.FreePort();
    private readonly List<IMqttClient> _clients = [];
    private GatewayProcess? _gateway;

    public Task InitializeAsync()
    {
        var args = InProcessGateway.Args(Path.Combine(_dir, "data"), _port,
                "--Uplink:Broker=", $"--Uplink:EmbeddedPort={_port}", "--Uplink:EmbeddedMaxConnections=3",
                $"--Uplink:EmbeddedUsername={User}", $"--Uplink:EmbeddedPassword={Password}",
                "--Logging:LogLevel:EdgeTwin.Gateway.Uplink=Information", "--Logging:LogLevel:EdgeTwin.Gateway.Broker=Information")
            .ToArray();
        _gateway = GatewayProcess.Start(_dir, args);
        Wait.Until(() => _gateway.Stdout.Contains("Uplink connected", StringComparison.Ordinal) || _gateway.HasExited, TimeSpan.FromSeconds(60), "the gateway's uplink connected to its embedded broker");
        Assert.False(_gateway.HasExited, _gateway.Stderr);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        _gateway?.Terminate();
        _gateway?.WaitForExit(TimeSpan.FromSeconds(30));
        _gateway?.Dispose();
        await Task.CompletedTask;
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Anonymous_And_WrongPassword_AreRefused_TheLoginIsAccepted()
    {
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await RefusedAsync("stranger", null, null));
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await RefusedAsync("stranger", User, "guess"));
        Assert.True((await ConnectAsync("viewer-1", User, Password)).IsConnected);
    }

    [Fact]
    public async Task TakingTheGatewaysClientId_IsRefused_AndTheGatewayKeepsPublishing()
    {
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, await RefusedAsync("gw-it", User, Password));
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, await RefusedAsync("gw-it", "edgetwin-gateway-uplink", "guess"));

        // The gateway's session was not taken over: records keep flowing and its uplink never dropped.
        var received = new ConcurrentQueue<string>();
        var viewer = await ConnectAsync("viewer-2", User, Password);
        viewer.ApplicationMessageReceivedAsync += e =>
        {
            received.Enqueue(e.ApplicationMessage.Topic);
            return Task.CompletedTask;
        };
        await viewer.SubscribeAsync("edgetwin/v1/site-it/gw-it/telemetry");
        await Wait.UntilAsync(() => received.Count >= 3, TimeSpan.FromSeconds(30), "three telemetry records after the takeover attempts");
        Assert.DoesNotContain("Uplink connection lost", _gateway!.Stdout, StringComparison.Ordinal);
        Assert.Contains("the gateway's own client id and login are reserved for the gateway", _gateway.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OversizedMessage_IsNeitherDeliveredNorRetained_AndItsSenderIsCutOff()
    {
        var sender = await ConnectAsync("sender", User, Password);
        var cutOff = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        sender.DisconnectedAsync += _ =>
        {
            cutOff.TrySetResult();
            return Task.CompletedTask;
        };
        var big = new byte[200 * 1024];
        await sender.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("edgetwin/v1/site-it/gw-it/twin/desired").WithPayload(big).WithRetainFlag().Build());
        await cutOff.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // A small retained marker published after it: once a new subscriber has it, the big one would have come first had it been kept.
        var marker = await ConnectAsync("marker", User, Password);
        await marker.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("probe/marker").WithPayload("m"u8.ToArray()).WithRetainFlag().Build());
        var seen = new ConcurrentQueue<(string Topic, int Bytes)>();
        var reader = await ConnectAsync("reader", User, Password);
        reader.ApplicationMessageReceivedAsync += e =>
        {
            seen.Enqueue((e.ApplicationMessage.Topic, (int)e.ApplicationMessage.Payload.Length));
            return Task.CompletedTask;
        };
        await reader.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("probe/#").WithTopicFilter("edgetwin/v1/site-it/gw-it/twin/desired").Build());
        await Wait.UntilAsync(() => seen.Any(m => m.Topic == "probe/marker"), TimeSpan.FromSeconds(30), "the retained marker");
        Assert.DoesNotContain(seen, m => m.Bytes > 65_536);
        Assert.Contains("Embedded broker dropped a 204800-byte message", _gateway!.Stdout, StringComparison.Ordinal);
        Assert.False(_gateway.HasExited);
    }

    [Fact]
    public async Task NoClientId_Mqtt5IsAssignedOne_Mqtt311IsRefusedSayingWhy()
    {
        var (v5, result) = await TryConnectAsync(string.Empty, User, Password);
        var (_, v311) = await TryConnectAsync(string.Empty, User, Password, MqttProtocolVersion.V311);

        Assert.Equal(MqttClientConnectResultCode.Success, result);
        Assert.True(v5.IsConnected);
        Assert.Equal(MqttClientConnectResultCode.ClientIdentifierNotValid, v311);
        await Wait.UntilAsync(() => _gateway!.Stdout.Contains("no client id: give one", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the refusal logged");
    }

    [Fact]
    public async Task ClientsBeyondTheCap_AreRefused_TheGatewayIsNotCounted()
    {
        for (var i = 0; i < 3; i++)
        {
            await ConnectAsync($"cap-{i}", User, Password);
        }

        Assert.Equal(MqttClientConnectResultCode.ServerUnavailable, await RefusedAsync("cap-3", User, Password));
    }

    private async Task<IMqttClient> ConnectAsync(string clientId, string? user, string? password)
    {
        var (client, result) = await TryConnectAsync(clientId, user, password);
        Assert.Equal(MqttClientConnectResultCode.Success, result);
        return client;
    }

    private async Task<MqttClientConnectResultCode> RefusedAsync(string clientId, string? user, string? password)
    {
        var (client, result) = await TryConnectAsync(clientId, user, password);
        Assert.False(client.IsConnected);
        return result;
    }

    /// <summary>The broker's CONNACK code, whether MQTTnet returns it or throws it (its exception carries it only in the message).</summary>
    private async Task<(IMqttClient Client, MqttClientConnectResultCode Result)> TryConnectAsync(string clientId, string? user, string? password, MqttProtocolVersion protocol = MqttProtocolVersion.V500)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        _clients.Add(client);
        var builder = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _port).WithClientId(clientId).WithProtocolVersion(protocol).WithTimeout(TimeSpan.FromSeconds(10));
        if (user is not null)
        {
            builder.WithCredentials(user, password);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            var result = await client.ConnectAsync(builder.Build(), timeout.Token);
            return (client, result.ResultCode);
        }
        catch (MqttConnectingFailedException ex)
        {
            var codes = Enum.GetValues<MqttClientConnectResultCode>().Where(c => c != MqttClientConnectResultCode.Success && ex.Message.Contains(c.ToString(), StringComparison.Ordinal)).ToList();
            Assert.True(codes.Count == 1, "refusal without a single result code: " + ex.Message);
            return (client, codes[0]);
        }
    }
}
