namespace EdgeTwin.Gateway.Uplink;

using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using EdgeTwin.Gateway.Broker;
using EdgeTwin.Gateway.Chains;
using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Diagnostics;
using EdgeTwin.Gateway.Outbox;
using EdgeTwin.Gateway.Runtime;
using EdgeTwin.Gateway.Storage;
using EdgeTwin.Hosting;
using EdgeTwin.Mqtt;
using EdgeTwin.Outbox;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Wire;
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
/// deadline (MQTTnet applies no timeout to publishes). With receipts on, records no receipt covers
/// are published again (<see cref="ResendScheduler"/>), and only signed receipts and re-send requests
/// (<see cref="CloudStatements"/>, through <see cref="StatementGate"/>) delete or send anything.
/// </summary>
internal sealed class MqttUplink : BackgroundService, ICommitListener, IUplink
{
    private readonly UplinkOptions _options;
    private readonly GatewayOptions _gateway;
    private readonly ChainBook _book;
    private readonly RetentionRequests _retention;
    private readonly PublishLedger _ledger;
    private readonly UplinkTopics _topics;
    private readonly TimeProvider _time;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger<MqttUplink> _logger;
    private readonly BrokerAddress _broker;
    private readonly ConcurrentDictionary<string, Func<ReadOnlyMemory<byte>, CancellationToken, Task>> _handlers = new();
    private readonly RetainedDocuments _retained = new();
    private readonly LogThrottle _inboundThrottle;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ResendScheduler _resend;
    private readonly BrokerReconnect _reconnect;
    private int _inFlight;
    private volatile bool _disconnecting;
    private volatile IMqttClient? _client;
    private readonly SignedDocuments _documents;
    private readonly FirstStartFiles? _firstStart;
    private DateTimeOffset _since;
    private readonly RetiredChains _retired;
    private readonly ReceiveProbe _probe;

    public MqttUplink(
        IOptions<UplinkOptions> options,
        IOptions<GatewayOptions> gateway,
        ChainBook book,
        RetentionRequests retention,
        PublishLedger ledger,
        UplinkTopics topics,
        TimeProvider time,
        GatewayMetrics metrics,
        SignedDocuments documents,
        RetiredChains retired,
        ILogger<MqttUplink> logger,
        FirstStartFiles? firstStart = null)
    {
        _retired = retired;
        _firstStart = firstStart;
        _documents = documents;
        _options = options.Value;
        _gateway = gateway.Value;
        _book = book;
        _retention = retention;
        _ledger = ledger;
        _topics = topics;
        _time = time;
        _inboundThrottle = new LogThrottle(time, TimeSpan.FromSeconds(10));
        _metrics = metrics;
        _logger = logger;
        _broker = string.IsNullOrWhiteSpace(_options.Broker)
            ? EmbeddedBrokerAddress.ForUplink(_options)
            : BrokerAddress.TryParse(_options.Broker, out var b, out var problem) ? b! : throw new StartupException("Uplink:Broker", problem!);
        Queue = new PublishQueue(book.Store, ledger, _options.BacklogShare);
        _resend = new ResendScheduler(time, _options.ResendAfter, _options.ResendMaxRecords);
        _probe = new ReceiveProbe(topics.Probe, _options.ReceiveProbeInterval, _options.ReceiveStallAfter);
        Statements = new CloudStatements(book, retention, Queue, _resend, new StatementGate(_gateway.Name, _options.ReceiptSigners, book), retired, _options, time, metrics, logger);
        _reconnect = new BrokerReconnect(_options.ReconnectMinDelay, _options.ReconnectMaxDelay, time, (ex, delay) => GatewayLog.ConnectFailed(logger, _broker.ToString(), ex.Message, delay));
        foreach (var (lane, head) in book.Store.Heads)
        {
            Queue.SetCommittedHead(lane, head.Seq);
        }

        metrics.Meter.CreateObservableGauge("edgetwin.uplink.backlog", () => Queue.BacklogCount, "{record}", "Stored records waiting behind live ones");
        metrics.Meter.CreateObservableCounter("edgetwin.uplink.withheld", () => ledger.Withheld, "{record}", "Records not published because a gap statement names them (evicted before their deletion reached the disk)");
        metrics.Meter.CreateObservableGauge("edgetwin.uplink.retired", () => retired.Held, "{record}", "Records of chains sealed by a gateway key rotation still to deliver (retired outboxes)");
        metrics.Meter.CreateObservableGauge("edgetwin.uplink.connected", () => IsConnected ? 1 : 0, "{connection}", "1 while connected to the broker");
        metrics.Meter.CreateObservableGauge("edgetwin.uplink.held", () => Lanes.Select(l => new Measurement<long>(book.Store.Usage(l).Records, new KeyValuePair<string, object?>("lane", WireNames.Of(l)))), "{record}", "Records the outbox holds (until a receipt covers them, or PUBACK without receipts)");
        if (_options.Receipts)
        {
            metrics.Meter.CreateObservableGauge("edgetwin.uplink.unreceipted.age", () => Lanes.Select(l => new Measurement<double>(Statements.OldestUnreceiptedAge(l).TotalSeconds, new KeyValuePair<string, object?>("lane", WireNames.Of(l)))), "s", "Age of the oldest record no receipt covers yet (0: none)");
        }
    }

    public PublishQueue Queue { get; }

    /// <summary>Receipts and re-send requests from the cloud (signed), and the re-send timer.</summary>
    public CloudStatements Statements { get; }

    private static Lane[] Lanes { get; } = [Lane.Telemetry, Lane.Alarm];

    public bool IsConnected => _client?.IsConnected == true;

    public int InFlight => Volatile.Read(ref _inFlight);

    public void OnCommitted(IReadOnlyList<StoredRecord> records) => Queue.AddLive(records, _time.GetTimestamp());

    public void SetRetained(string subtopic, ReadOnlyMemory<byte> payload)
    {
        _retained.Set(subtopic, payload);
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
                await client.PublishAsync(Message(_topics.Status, _documents.Status(online: false, _since), retain: true), deadlineCts.Token).ConfigureAwait(false);
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
        // A first start on a full disk: nothing is published (not even the status, signed with the
        // gateway key) before the keys are on disk; a power cut could still lose a key only in memory.
        if (_firstStart is not null)
        {
            try
            {
                await _firstStart.Written.WaitAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

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
                await _reconnect.ConnectAsync(
                    async token =>
                    {
                        // Each connection has its own signed status: online now, and the offline will the broker publishes if it dies.
                        _since = _time.GetUtcNow();
                        var mqttOptions = MqttClientOptionsFactory.Create(_broker, _options, clientId, _topics.Status, _documents.Status(online: false, _since));
                        using var connectDeadline = new CancellationTokenSource(TimeSpan.FromSeconds(10), _time);
                        using var connectCts = CancellationTokenSource.CreateLinkedTokenSource(token, connectDeadline.Token);
                        await client.ConnectAsync(mqttOptions, connectCts.Token).ConfigureAwait(false);
                    },
                    ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }

            _client = client;
            _metrics.Connected();
            GatewayLog.Connected(_logger, _broker.ToString(), clientId);
            using var connection = CancellationTokenSource.CreateLinkedTokenSource(ct);
            try
            {
                await OnConnectedAsync(client, connection.Token).ConfigureAwait(false);
                _ = _options.Receipts ? Statements.RunResendLoopAsync(connection.Token) : Task.CompletedTask;
                _ = _retired.Held > 0 ? PublishRetiredAsync(client, connection) : Task.CompletedTask;
                _ = _probe.Enabled ? ProbeAsync(client, connection) : Task.CompletedTask;
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
                await QuietDelay.WaitAsync(_time, _options.ReconnectMinDelay, ct).ConfigureAwait(false);
            }
        }
    }

    private async Task OnConnectedAsync(IMqttClient client, CancellationToken ct)
    {
        var subscribe = new MqttClientSubscribeOptionsBuilder();
        if (_options.Receipts)
        {
            subscribe.WithTopicFilter(_topics.Receipt, MqttQualityOfServiceLevel.AtLeastOnce);
            subscribe.WithTopicFilter(_topics.Resend, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        foreach (var topic in _handlers.Keys)
        {
            subscribe.WithTopicFilter(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        if (_probe.Enabled)
        {
            subscribe.WithTopicFilter(_probe.Topic, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        using var deadline = new CancellationTokenSource(_options.PublishTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        var result = _options.Receipts || !_handlers.IsEmpty || _probe.Enabled
            ? await client.SubscribeAsync(subscribe.Build(), linked.Token).ConfigureAwait(false)
            : null;
        if (_probe.Connected(result, _time.GetUtcNow()) is { } probeRefused)
        {
            GatewayLog.ProbeRefused(_logger, _probe.Topic, probeRefused.ToString());
        }

        var status = _documents.Status(online: true, _since);
        await client.PublishAsync(Message(_topics.Status, status, retain: true), linked.Token).ConfigureAwait(false);
        _retained.AllDue();

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
                string retainedTopic;
                ReadOnlyMemory<byte> retainedPayload;
                var isRetained = false;
                while (!(isRetained = _retained.TryNext(out retainedTopic, out retainedPayload)) && !Queue.TryNext(out next))
                {
                    Task.WaitAny([Queue.WaitAsync(), lost], ct);
                    if (lost.IsCompleted)
                    {
                        window.Release();
                        return lost.Result;
                    }
                }

                Interlocked.Increment(ref _inFlight);
                _ = isRetained
                    ? PublishRetainedAsync(client, retainedTopic, retainedPayload, window, connection)
                    : PublishRecordAsync(client, next!, window, connection);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The connection is being dropped (a publish failed) or the uplink stops.
        }

        return lost.IsCompleted ? lost.Result : "stopping";
    }

    private async Task PublishRecordAsync(IMqttClient client, Outgoing item, SemaphoreSlim window, CancellationTokenSource connection)
    {
        try
        {
            var record = item.Record;
            await PublishToLaneAsync(client, record, "", connection.Token).ConfigureAwait(false);
            _metrics.Published(record.Lane, item.Live, item.Resent);
            if (item.Live)
            {
                _metrics.LiveLatency(_time.GetElapsedTime(item.CommittedTimestamp));
            }

            if (!_options.Receipts)
            {
                _ledger.Acknowledged(record.Lane, record.Seq);
                _retention.Delete(record.Lane, record.Seq, record.Payload.Length);
            }
            else
            {
                _resend.Published(record.Lane, record.Seq);
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

    /// <summary>
    /// Delivers the retired outboxes (<see cref="RetiredChains"/>) beside the live traffic: every record
    /// held, a chain's in seq order, one publish at a time with its deadline; again after
    /// <c>Uplink:ResendAfter</c> (or a signed re-send request) for what no receipt covered. A failed
    /// publish drops the connection, as any other does.
    /// </summary>
    private async Task PublishRetiredAsync(IMqttClient client, CancellationTokenSource connection)
    {
        var ct = connection.Token;
        try
        {
            while (!ct.IsCancellationRequested && _retired.Held > 0)
            {
                var changed = _retired.Changed;
                var sent = new Dictionary<(Lane, string), long>();
                for (var page = _retired.Snapshot(sent); page.Count > 0; page = _retired.Snapshot(sent))
                {
                    foreach (var r in page)
                    {
                        await PublishToLaneAsync(client, r, "retired ", ct).ConfigureAwait(false);
                        _metrics.Published(r.Lane, false, true);
                        if (!_options.Receipts)
                        {
                            _retired.Acknowledged(r);
                        }

                        sent[(r.Lane, r.Record.Epoch)] = r.Seq;
                    }
                }

                if (_options.Receipts && _retired.Held > 0)
                {
                    await Task.WhenAny(changed, Task.Delay(_options.ResendAfter, _time, ct)).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex)
        {
            if (!connection.IsCancellationRequested)
            {
                _metrics.PublishFailed();
                GatewayLog.ConnectionLost(_logger, "retired publish failed: " + ex.Message);
                await connection.CancelAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>One record to its lane's topic, QoS 1, within <c>Uplink:PublishTimeout</c> (MQTTnet sets no deadline); throws unless the broker acknowledged it.</summary>
    private async Task PublishToLaneAsync(IMqttClient client, StoredRecord record, string what, CancellationToken connection)
    {
        using var deadline = new CancellationTokenSource(_options.PublishTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(connection, deadline.Token);
        var result = await client.PublishAsync(Message(_topics.Records(record.Lane), record.Payload, retain: false), linked.Token).ConfigureAwait(false);
        if (!result.IsSuccess)
        {
            throw new InvalidOperationException($"broker refused {what}{_topics.Records(record.Lane)} seq {record.Seq}: {result.ReasonCode} {result.ReasonString}");
        }
    }

    private async Task PublishRetainedAsync(IMqttClient client, string subtopic, ReadOnlyMemory<byte> payload, SemaphoreSlim window, CancellationTokenSource connection)
    {
        try
        {
            using var deadline = new CancellationTokenSource(_options.PublishTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(connection.Token, deadline.Token);
            await client.PublishAsync(Message(_topics.Of(subtopic), payload.ToArray(), retain: true), linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _retained.Again(subtopic);
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

    /// <summary>
    /// The connection's receive-path probe (<see cref="ReceiveProbe"/>): a probe when one is due, and
    /// the connection dropped (the loop connects again, the broker keeps the session) when one is out
    /// and nothing has come for <c>Uplink:ReceiveStallAfter</c>. A probe the broker refuses (an ACL
    /// without the topic) ends probing on this connection, said once.
    /// </summary>
    private async Task ProbeAsync(IMqttClient client, CancellationTokenSource connection)
    {
        var ct = connection.Token;
        var tick = TimeSpan.FromTicks(Math.Clamp(Math.Min(_options.ReceiveProbeInterval.Ticks, _options.ReceiveStallAfter.Ticks) / 4, TimeSpan.FromMilliseconds(50).Ticks, TimeSpan.FromSeconds(1).Ticks));
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await QuietDelay.WaitAsync(_time, tick, ct).ConfigureAwait(false);
                if (_probe.Check(_time.GetUtcNow(), held: 0, window: 1, out var quiet) == ProbeVerdict.Stalled)
                {
                    GatewayLog.ReceiveStalled(_logger, quiet, _probe.Topic);
                    _metrics.ReceiveStalled();
                    await connection.CancelAsync().ConfigureAwait(false);
                    return;
                }

                if (_probe.Due(_time.GetUtcNow()) is not { } payload)
                {
                    continue;
                }

                using var deadline = new CancellationTokenSource(_options.PublishTimeout, _time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
                try
                {
                    var result = await client.PublishAsync(Message(_probe.Topic, payload, retain: false), linked.Token).ConfigureAwait(false);
                    if (!result.IsSuccess && _probe.Refused(payload))
                    {
                        GatewayLog.ProbeRefused(_logger, _probe.Topic, result.ReasonCode.ToString());
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    // Not taken in time or the connection went: not out, so it makes no stall. A broken
                    // connection is the records' publishes' to find (they drop it and count the failure).
                    _probe.NotSent(payload);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The connection is being dropped or the uplink stops.
        }
    }

    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e, CancellationToken ct)
    {
        var topic = e.ApplicationMessage.Topic;
        if (e.ApplicationMessage.QualityOfServiceLevel == MqttQualityOfServiceLevel.AtMostOnce)
        {
            // Every topic a gateway takes is QoS 1 (PROTOCOL §2), and only QoS 1 is held back by the
            // receive window (MqttClientOptionsFactory): anyone on the broker could otherwise flood the
            // box with QoS 0 statements, each a signature to recover, faster than it reads them.
            _metrics.Rejected("inbound", "qos0");
            if (_inboundThrottle.ShouldLog("qos0", out var suppressed))
            {
                GatewayLog.InboundQos0Dropped(_logger, topic, suppressed);
            }

            return;
        }

        // The QoS 1 path delivers (QoS 0, dropped above, is not held back by the receive window, and anyone may send it).
        _probe.Received(_time.GetUtcNow());
        var payload = e.ApplicationMessage.Payload.ToArray();
        if (topic == _probe.Topic)
        {
            if (_probe.Arrived(payload, _time.GetUtcNow()) is { } roundTrip)
            {
                _metrics.ProbeReturned(roundTrip);
            }
            else
            {
                _metrics.ProbeUnmatched();
            }

            return;
        }

        if (topic == _topics.Receipt)
        {
            Statements.OnReceipt(payload);
            return;
        }

        if (topic == _topics.Resend)
        {
            Statements.OnResendRequest(payload);
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

    private async Task WaitInFlightDrainedAsync()
    {
        using var deadline = new CancellationTokenSource(_options.PublishTimeout, _time);
        while (InFlight > 0 && !deadline.IsCancellationRequested)
        {
            await QuietDelay.WaitAsync(_time, TimeSpan.FromMilliseconds(10), deadline.Token).ConfigureAwait(false);
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
