namespace EdgeTwin.Ingest.Tests.Support;

using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

/// <summary>Publishes gateway traffic and collects receipts, as the gateways' side of the broker.</summary>
internal sealed class TestMqttClient : IAsyncDisposable
{
    public const string Prefix = "edgetwin/v1";
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly ConcurrentDictionary<string, SimulatedGateway> _gateways = new(StringComparer.Ordinal);

    public ConcurrentQueue<(string Topic, string Lane, string Epoch, long Seq)> Receipts { get; } = new();

    /// <summary>Runs on each receipt before the gateway learns of it: (gw, lane, epoch, seq).</summary>
    public Func<string, string, string, long, Task>? OnReceipt { get; set; }

    public static async Task<TestMqttClient> ConnectAsync(int port)
    {
        var c = new TestMqttClient();
        c._client.ApplicationMessageReceivedAsync += async e =>
        {
            var topic = e.ApplicationMessage.Topic;
            using var doc = JsonDocument.Parse(e.ApplicationMessage.Payload.ToArray());
            var lane = doc.RootElement.GetProperty("lane").GetString()!;
            var epoch = doc.RootElement.GetProperty("epoch").GetString()!;
            var seq = doc.RootElement.GetProperty("seq").GetInt64();
            c.Receipts.Enqueue((topic, lane, epoch, seq));
            var gw = topic.Split('/')[^2];
            if (c.OnReceipt is { } check)
            {
                await check(gw, lane, epoch, seq);
            }

            if (c._gateways.TryGetValue(gw, out var g))
            {
                g.OnReceipt(lane == "alarm" ? Lane.Alarm : Lane.Telemetry, epoch, seq);
            }
        };
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId($"test-gw-{Guid.NewGuid():N}").WithCleanStart(true).Build();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await c._client.ConnectAsync(options, cts.Token);
        await c._client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter($"{Prefix}/+/+/receipt", MqttQualityOfServiceLevel.AtLeastOnce).Build(), cts.Token);
        return c;
    }

    public void Track(SimulatedGateway g) => _gateways[g.Gw] = g;

    public Task PublishAsync(SimulatedGateway g, ChainRecord r) =>
        PublishAsync(SimulatedGateway.Topic(Prefix, g.Site, g.Gw, r.Lane), r.Payload);

    public async Task PublishAsync(string topic, byte[] payload, bool retain = false, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var msg = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
            .WithQualityOfServiceLevel(qos).WithRetainFlag(retain).Build();
        await _client.PublishAsync(msg, cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), CancellationToken.None);
        }

        _client.Dispose();
    }
}
