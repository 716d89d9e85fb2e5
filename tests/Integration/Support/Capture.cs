namespace EdgeTwin.Integration.Tests.Support;

using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

/// <summary>
/// A subscriber standing in for the cloud: a persistent MQTT 5 session on <c>{prefix}/#</c> that
/// keeps every message and reconnects by itself when the broker comes back.
/// </summary>
public sealed class Capture : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly MqttClientOptions _options;
    private readonly string _filter;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private volatile bool _subscribed;

    private Capture(int port, string filter, Action<string, byte[]>? onMessage = null)
    {
        _filter = filter;
        _options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId("capture-" + Guid.NewGuid().ToString("n")[..8])
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(false)
            .WithSessionExpiryInterval(3600)
            .Build();
        _client.ApplicationMessageReceivedAsync += e =>
        {
            if (onMessage is null)
            {
                Messages.Enqueue((e.ApplicationMessage.Topic, e.ApplicationMessage.Payload.ToArray()));
            }
            else
            {
                onMessage(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload.ToArray());
            }

            return Task.CompletedTask;
        };
        _loop = Task.Run(LoopAsync);
    }

    public ConcurrentQueue<(string Topic, byte[] Payload)> Messages { get; } = new();

    public IEnumerable<byte[]> Records(string lane) => Messages.Where(m => m.Topic.EndsWith("/" + lane, StringComparison.Ordinal)).Select(m => m.Payload);

    public IEnumerable<byte[]> AllRecords => Records("telemetry").Concat(Records("alarm"));

    public static Task<Capture> StartAsync(int port, string filter = "edgetwin/v1/#") => StartAsync(port, filter, null);

    /// <summary>
    /// A capture that hands each message to <paramref name="onMessage"/> (topic, payload) as it
    /// arrives instead of keeping it (<see cref="Messages"/> stays empty): for a run too long to hold.
    /// </summary>
    public static async Task<Capture> StartAsync(int port, string filter, Action<string, byte[]>? onMessage)
    {
        var capture = new Capture(port, filter, onMessage);
        // Connected is not enough: a record published before the subscription is in place would be missed.
        await Wait.UntilAsync(() => capture._client.IsConnected && capture._subscribed, TimeSpan.FromSeconds(10), "capture connected and subscribed");
        return capture;
    }

    /// <summary>Highest seq seen on a lane (-1 when none).</summary>
    public long HighestSeq(string lane) =>
        Records(lane).Select(p => JsonDocument.Parse(p).RootElement.GetProperty("seq").GetInt64()).DefaultIfEmpty(-1).Max();

    /// <summary>
    /// Whether the last gateway status seen says offline: after a graceful stop it follows the final
    /// records, so once it is here the capture holds everything the gateway published.
    /// </summary>
    public bool LastStatusOffline()
    {
        var last = Messages.LastOrDefault(m => m.Topic.EndsWith("/status", StringComparison.Ordinal));
        if (last.Payload is null)
        {
            return false;
        }

        // The status is signed: {"doc":"<status JSON>","sig":..}.
        var doc = JsonDocument.Parse(last.Payload).RootElement.GetProperty("doc").GetString()!;
        return JsonDocument.Parse(doc).RootElement.GetProperty("online").GetBoolean() is false;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync(new MqttClientDisconnectOptions());
        }

        _client.Dispose();
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            if (!_client.IsConnected)
            {
                try
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    var result = await _client.ConnectAsync(_options, timeout.Token);
                    if (!result.IsSessionPresent || !_subscribed)
                    {
                        await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(_filter, MqttQualityOfServiceLevel.AtLeastOnce).Build(), timeout.Token);
                    }

                    _subscribed = true;
                }
                catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException or MQTTnet.Exceptions.MqttCommunicationException)
                {
                }
            }

            try
            {
                await Task.Delay(50, _stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
