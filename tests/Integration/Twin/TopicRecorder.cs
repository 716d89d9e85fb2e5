namespace EdgeTwin.Integration.Tests.Twin;

using System.Buffers;
using System.Text.Json.Nodes;
using MQTTnet;
using MQTTnet.Protocol;

/// <summary>An MQTT client that keeps every message under a topic filter, for the cloud's side of a test.</summary>
internal sealed class TopicRecorder : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly List<(string Topic, byte[] Payload, DateTimeOffset At)> _messages = [];
    private readonly SemaphoreSlim _arrived = new(0);

    public static async Task<TopicRecorder> StartAsync(int port, string filter, CancellationToken cancellationToken)
    {
        var recorder = new TopicRecorder();
        recorder._client.ApplicationMessageReceivedAsync += e =>
        {
            lock (recorder._messages)
            {
                recorder._messages.Add((e.ApplicationMessage.Topic, e.ApplicationMessage.Payload.ToArray(), DateTimeOffset.UtcNow));
            }

            recorder._arrived.Release();
            return Task.CompletedTask;
        };
        await recorder._client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("cloud-" + Guid.NewGuid().ToString("N")).Build(), cancellationToken);
        await recorder._client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancellationToken);
        return recorder;
    }

    public async Task PublishRetainedAsync(string topic, byte[] payload, CancellationToken cancellationToken) =>
        await PublishAsync(topic, payload, cancellationToken, retain: true);

    public async Task PublishAsync(string topic, byte[] payload, CancellationToken cancellationToken, bool retain = false) =>
        await _client.PublishAsync(
            new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithRetainFlag(retain).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(),
            cancellationToken);

    /// <summary>
    /// JSON messages on topics ending in <paramref name="suffix"/>, in arrival order, with their
    /// arrival time. The gateway's signed documents (status, reported twin: <c>{"doc","sig"}</c>) come
    /// as the document they carry.
    /// </summary>
    public List<(JsonObject Json, DateTimeOffset At)> Json(string suffix)
    {
        lock (_messages)
        {
            return [.. _messages.Where(m => m.Topic.EndsWith(suffix, StringComparison.Ordinal)).Select(m => (Unwrap((JsonObject)JsonNode.Parse(m.Payload)!), m.At))];
        }
    }

    private static JsonObject Unwrap(JsonObject message) =>
        message.Count == 2 && message["doc"] is JsonValue doc && doc.TryGetValue<string>(out var text) && message["sig"] is not null
            ? (JsonObject)JsonNode.Parse(text)!
            : message;

    /// <summary>Raw payloads on topics ending in <paramref name="suffix"/>, in arrival order.</summary>
    public List<byte[]> Payloads(string suffix)
    {
        lock (_messages)
        {
            return [.. _messages.Where(m => m.Topic.EndsWith(suffix, StringComparison.Ordinal)).Select(m => m.Payload)];
        }
    }

    /// <summary>Waits until a message satisfies <paramref name="match"/>; returns it with its arrival time.</summary>
    public async Task<(JsonObject Json, DateTimeOffset At)> WaitForAsync(string suffix, Func<JsonObject, bool> match, CancellationToken cancellationToken)
    {
        while (true)
        {
            var found = Json(suffix).FirstOrDefault(m => match(m.Json));
            if (found.Json is not null)
            {
                return found;
            }

            await _arrived.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds, checking again after every message.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            await _arrived.WaitAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync(new MqttClientDisconnectOptions());
        }

        _client.Dispose();
        _arrived.Dispose();
    }
}
