namespace EdgeTwin.Gateway.Uplink;

using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using EdgeTwin.Gateway.Broker;
using EdgeTwin.Gateway.Chains;
using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Diagnostics;
using EdgeTwin.Gateway.Hosting;
using EdgeTwin.Mqtt;
using EdgeTwin.Outbox;
using EdgeTwin.Telemetry.Records;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;

/// <summary>
/// The broker link. Reads only the outbox (through <see cref="PublishQueue"/>): nothing is sent that
/// was not committed, and the outbox is the retry mechanism: after any failure the connection is
/// dropped, re-established with back-off, and every unacknowledged record is sent again from the
/// store. QoS 1 with at most <c>Uplink:MaxInFlight</c> publishes outstanding, each with its own
/// deadline (MQTTnet applies no timeout to publishes).
/// </summary>
internal sealed class MqttUplink : BackgroundService, ICommitListener, IUplink
{
    private readonly UplinkOptions _options;
    private readonly GatewayOptions _gateway;
    private readonly ChainBook _book;
    private readonly RetentionRequests _retention;
    private readonly UplinkTopics _topics;
    private readonly TimeProvider _time;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger<MqttUplink> _logger;
    private readonly BrokerAddress _broker;
    private readonly ConcurrentDictionary<string, Func<ReadOnlyMemory<byte>, CancellationToken, Task>> _handlers = new();
    private readonly ConcurrentDictionary<string, ReadOnlyMemory<byte>> _retained = new();
    private readonly ConcurrentQueue<string> _retainedDirty = new();
    private readonly Random _jitter = new();
    private readonly CancellationTokenSource _stopping = new();
    private int _inFlight;
    private volatile bool _disconnecting;
    private volatile IMqttClient? _client;

    public MqttUplink(
        IOptions<UplinkOptions> options,
        IOptions<GatewayOptions> gateway,
        ChainBook book,
        RetentionRequests retention,
        UplinkTopics topics,
        TimeProvider time,
        GatewayMetrics metrics,
        ILogger<MqttUplink> logger)
    {
        _options = options.Value;
        _gateway = gateway.Value;
        _book = book;
        _retention = retention;
        _topics = topics;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _broker = string.IsNullOrWhiteSpace(_options.Broker)
            ? EmbeddedBrokerAddress.ForUplink(_options)
            : BrokerAddress.TryParse(_options.Broker, out var b, out var problem) ? b! : throw new StartupException("Uplink:Broker", problem!);
        Queue = new PublishQueue(book.Store, _options.BacklogShare);
        foreach (var (lane, head) in book.Store.Heads)
        {
            Queue.SetCommittedHead(lane, head.Seq);
        }

        metrics.Meter.CreateObservableGauge("edgetwin.uplink.backlog", () => Queue.BacklogCount, "{record}", "Stored records waiting behind live ones");
        metrics.Meter.CreateObservableGauge("edgetwin.uplink.connected", () => IsConnected ? 1 : 0, "{connection}", "1 while connected to the broker");
    }

    public PublishQueue Queue { get; }

    public bool IsConnected => _client?.IsConnected == true;

    public int InFlight => Volatile.Read(ref _inFlight);

    public void OnCommitted(IReadOnlyList<StoredRecord> records) => Queue.AddLive(records, _time.GetTimestamp());

    public void SetRetained(string subtopic, ReadOnlyMemory<byte> payload)
    {
        _retained[subtopic] = payload;
        _retainedDirty.Enqueue(subtopic);
        Queue.AddLive([], 0); // wake the pump
    }

    public void Subscribe(string subtopic, Func<ReadOnlyMemory<byte>, CancellationToken, Task> handler) =>
        _handlers[_topics.Of(subtopic)] = handler;

    /// <summary>Graceful stop: keep publishing until everything committed is acknowledged or <c>Uplink:StopTimeout</c>, then say offline.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + _options.StopTimeout;
        while (IsConnected && (!Queue.IsEmpty || InFlight > 0) && _time.GetUtcNow() < deadline && !cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        if (!Queue.IsEmpty || InFlight > 0)
        {
            GatewayLog.StopIncomplete(_logger, Queue.BacklogCount + Queue.LiveCount + InFlight);
        }

        _disconnecting = true;
        if (_client is { IsConnected: true } client)
        {
            try
            {
                using var deadlineCts = new CancellationTokenSource(TimeSpan.FromSeconds(2), _time);
                await client.PublishAsync(Message(_topics.Status, MqttClientOptionsFactory.OfflinePayload, retain: true), deadlineCts.Token).ConfigureAwait(false);
                await client.DisconnectAsync(new MqttClientDisconnectOptions(), deadlineCts.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or MQTTnet.Exceptions.MqttCommunicationException or InvalidOperationException)
            {
                GatewayLog.ConnectionLost(_logger, "offline status not delivered: " + ex.Message);
            }
        }

        await _stopping.CancelAsync().ConfigureAwait(false);

        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _stopping.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, _stopping.Token);
        var ct = linked.Token;
        var clientId = string.IsNullOrWhiteSpace(_options.ClientId) ? _gateway.Name : _options.ClientId;
        var mqttOptions = MqttClientOptionsFactory.Create(_broker, _options, clientId, _topics.Status);
        var attempt = 0;
        while (!ct.IsCancellationRequested)
        {
            using var client = new MqttClientFactory().CreateMqttClient();
            var lost = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            client.DisconnectedAsync += e =>
            {
                lost.TrySetResult(e.Exception?.Message ?? e.Reason.ToString());
                return Task.CompletedTask;
            };
            client.ApplicationMessageReceivedAsync += e => OnMessageAsync(e, ct);
            try
            {
                using var connectDeadline = new CancellationTokenSource(TimeSpan.FromSeconds(10), _time);
                using var connectCts = CancellationTokenSource.CreateLinkedTokenSource(ct, connectDeadline.Token);
                await client.ConnectAsync(mqttOptions, connectCts.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                var delay = Backoff.Delay(attempt++, _options.ReconnectMinDelay, _options.ReconnectMaxDelay, _jitter);
                GatewayLog.ConnectFailed(_logger, _broker.ToString(), ex.Message, delay);
                await DelayQuietly(delay, ct).ConfigureAwait(false);
                continue;
            }
            catch (OperationCanceledException)
            {
                break;
            }

            attempt = 0;
            _client = client;
            _metrics.Connected();
            GatewayLog.Connected(_logger, _broker.ToString(), clientId);
            using var connection = CancellationTokenSource.CreateLinkedTokenSource(ct);
            try
            {
                await OnConnectedAsync(client, connection.Token).ConfigureAwait(false);
                var reason = await OwnThread.Run("edgetwin-uplink-pump", () => Pump(client, lost.Task, connection)).ConfigureAwait(false);
                if (!ct.IsCancellationRequested && !_disconnecting)
                {
                    GatewayLog.ConnectionLost(_logger, reason);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                GatewayLog.ConnectionLost(_logger, ex.Message);
            }
            finally
            {
                await connection.CancelAsync().ConfigureAwait(false);
                await WaitInFlightDrainedAsync().ConfigureAwait(false);
                if (!ct.IsCancellationRequested || !_stopping.IsCancellationRequested)
                {
                    _client = null;
                }
            }

            if (!ct.IsCancellationRequested)
            {
                await DelayQuietly(Backoff.Delay(0, _options.ReconnectMinDelay, _options.ReconnectMaxDelay, _jitter), ct).ConfigureAwait(false);
            }
        }
    }

    private async Task OnConnectedAsync(IMqttClient client, CancellationToken ct)
    {
        var subscribe = new MqttClientSubscribeOptionsBuilder();
        if (_options.Receipts)
        {
            subscribe.WithTopicFilter(_topics.Receipt, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        foreach (var topic in _handlers.Keys)
        {
            subscribe.WithTopicFilter(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        using var deadline = new CancellationTokenSource(_options.PublishTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        if (_options.Receipts || !_handlers.IsEmpty)
        {
            await client.SubscribeAsync(subscribe.Build(), linked.Token).ConfigureAwait(false);
        }

        var status = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["online"] = true,
            ["gw"] = _gateway.Name,
            ["site"] = _gateway.Site,
            ["software"] = ChainBook.Software,
            ["ts"] = _time.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
        });
        await client.PublishAsync(Message(_topics.Status, status, retain: true), linked.Token).ConfigureAwait(false);
        foreach (var subtopic in _retained.Keys)
        {
            _retainedDirty.Enqueue(subtopic);
        }

        Queue.Reset();
    }

    /// <summary>
    /// The pump blocks (free window slots, backlog pages read from the outbox under its lock), so it
    /// runs on a thread of its own per connection: blocked pool threads on a two-core box delay the
    /// PUBACK handling that frees the window, and an alarm behind it.
    /// </summary>
    private string Pump(IMqttClient client, Task<string> lost, CancellationTokenSource connection)
    {
        // Not disposed: publishes still in flight release their slot after the pump has returned.
        var window = new SemaphoreSlim(_options.MaxInFlight);
        var ct = connection.Token;
        try
        {
            while (!ct.IsCancellationRequested && !lost.IsCompleted)
            {
                window.Wait(ct);
                Outgoing? next = null;
                string? retainedTopic;
                while (!TryNextRetained(out retainedTopic) && !Queue.TryNext(out next))
                {
                    Task.WaitAny([Queue.WaitAsync(), lost], ct);
                    if (lost.IsCompleted)
                    {
                        window.Release();
                        return lost.Result;
                    }
                }

                Interlocked.Increment(ref _inFlight);
                _ = retainedTopic is not null
                    ? PublishRetainedAsync(client, retainedTopic, window, connection)
                    : PublishRecordAsync(client, next!, window, connection);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The connection is being dropped (a publish failed) or the uplink stops.
        }

        return lost.IsCompleted ? lost.Result : "stopping";
    }

    private bool TryNextRetained(out string? subtopic)
    {
        while (_retainedDirty.TryDequeue(out subtopic))
        {
            if (_retained.ContainsKey(subtopic))
            {
                return true;
            }
        }

        return false;
    }

    private async Task PublishRecordAsync(IMqttClient client, Outgoing item, SemaphoreSlim window, CancellationTokenSource connection)
    {
        try
        {
            var record = item.Record;
            using var deadline = new CancellationTokenSource(_options.PublishTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(connection.Token, deadline.Token);
            var result = await client.PublishAsync(Message(_topics.Records(record.Lane), record.Payload, retain: false), linked.Token).ConfigureAwait(false);
            if (!result.IsSuccess)
            {
                throw new InvalidOperationException($"broker refused {_topics.Records(record.Lane)} seq {record.Seq}: {result.ReasonCode} {result.ReasonString}");
            }

            _metrics.Published(record.Lane, item.Live);
            if (item.Live)
            {
                _metrics.LiveLatency(_time.GetElapsedTime(item.CommittedTimestamp));
            }

            if (!_options.Receipts)
            {
                _retention.Delete(record.Lane, record.Seq, record.Payload.Length);
            }
        }
        catch (Exception ex)
        {
            // The record stays in the outbox; drop the connection so the backlog is rebuilt from the store.
            if (!connection.IsCancellationRequested)
            {
                _metrics.PublishFailed();
                GatewayLog.ConnectionLost(_logger, "publish failed: " + ex.Message);
                await connection.CancelAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            window.Release();
        }
    }

    private async Task PublishRetainedAsync(IMqttClient client, string subtopic, SemaphoreSlim window, CancellationTokenSource connection)
    {
        try
        {
            using var deadline = new CancellationTokenSource(_options.PublishTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(connection.Token, deadline.Token);
            await client.PublishAsync(Message(_topics.Of(subtopic), _retained[subtopic].ToArray(), retain: true), linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _retainedDirty.Enqueue(subtopic);
            if (!connection.IsCancellationRequested)
            {
                _metrics.PublishFailed();
                GatewayLog.ConnectionLost(_logger, "retained publish failed: " + ex.Message);
                await connection.CancelAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            window.Release();
        }
    }

    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e, CancellationToken ct)
    {
        var topic = e.ApplicationMessage.Topic;
        var payload = e.ApplicationMessage.Payload.ToArray();
        if (topic == _topics.Receipt)
        {
            OnReceipt(payload);
            return;
        }

        if (_handlers.TryGetValue(topic, out var handler))
        {
            try
            {
                await handler(payload, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                GatewayLog.HandlerFailed(_logger, topic, ex);
            }
        }
    }

    /// <summary>A receipt frees records only when it names this gateway's current epoch and a seq already committed.</summary>
    internal void OnReceipt(ReadOnlySpan<byte> payload)
    {
        string? problem;
        try
        {
            using var doc = JsonDocument.Parse(payload.ToArray());
            var root = doc.RootElement;
            var laneName = root.GetProperty("lane").GetString();
            var epoch = root.GetProperty("epoch").GetString();
            var seq = root.GetProperty("seq").GetInt64();
            Lane? lane = laneName switch { "telemetry" => Lane.Telemetry, "alarm" => Lane.Alarm, _ => null };
            var head = lane is { } l ? _book.Head(l) : null;
            problem = lane is null ? $"unknown lane '{laneName}'"
                : epoch != head!.Epoch ? $"epoch {epoch} is not the current {laneName} epoch {head.Epoch}"
                : seq < 0 || seq > head.Seq ? $"seq {seq} is beyond the {laneName} head {head.Seq}"
                : null;
            if (problem is null)
            {
                _metrics.Receipt();
                _retention.DeleteThrough(lane!.Value, seq);
                return;
            }
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            problem = "malformed receipt: " + ex.Message;
        }

        _metrics.Rejected("receipt");
        GatewayLog.ReceiptRejected(_logger, problem);
    }

    private async Task WaitInFlightDrainedAsync()
    {
        using var deadline = new CancellationTokenSource(_options.PublishTimeout, _time);
        while (InFlight > 0 && !deadline.IsCancellationRequested)
        {
            await DelayQuietly(TimeSpan.FromMilliseconds(10), deadline.Token).ConfigureAwait(false);
        }
    }

    private async Task DelayQuietly(TimeSpan delay, CancellationToken ct)
    {
        try
        {
            await Task.Delay(delay, _time, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static MqttApplicationMessage Message(string topic, byte[] payload, bool retain) => new()
    {
        Topic = topic,
        Payload = new ReadOnlySequence<byte>(payload),
        QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce,
        Retain = retain,
    };
}
