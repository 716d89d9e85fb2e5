namespace EdgeTwin.Ingest.Mqtt;

using System.Buffers;
using EdgeTwin.Ingest.Alerts;
using EdgeTwin.Ingest.Identity;
using EdgeTwin.Ingest.Metrics;
using EdgeTwin.Ingest.Options;
using EdgeTwin.Ingest.Processing;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Ingest.Topics;
using EdgeTwin.Ingest.Ward;
using EdgeTwin.Mqtt;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

/// <summary>
/// One ingest worker on the broker: an MQTT 5 shared subscription, so the broker spreads gateways'
/// messages over all workers of the group. A message is acknowledged (PUBACK) only after the batch
/// holding it committed, and receipts go out only after that commit too.
/// </summary>
internal sealed class MqttIngestWorker : BackgroundService
{
    private readonly IOptions<IngestOptions> _options;
    private readonly BatchProcessor _processor;
    private readonly AlertPublisher _alerts;
    private readonly IngestMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly IngestIdentity _identity;
    private readonly ILogger<MqttIngestWorker> _logger;
    private readonly WardChanges _ward;
    private readonly int _lanes;
    private BatchPipeline<Pending, BatchResult>? _pipeline;
    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile IMqttClient? _client;
    private readonly Lock _qos0Gate = new();
    private long _qos0Dropped;
    private DateTimeOffset _qos0LoggedAt = DateTimeOffset.MinValue;
    private ReceiveProbe? _probe;
    private Task _probeSend = Task.CompletedTask;

    // Messages received and not yet acknowledged or given up (what edgetwin.ingest.inflight shows).
    private int _held;

    // The broker session the connection belongs to: a connection that starts a new session (a clean
    // start, or a lasting one the broker no longer had) takes the next number; one that resumes keeps it.
    private long _session;

    public MqttIngestWorker(IOptions<IngestOptions> options, BatchProcessor processor, AlertPublisher alerts, IngestMetrics metrics, TimeProvider time, IngestIdentity identity, ILogger<MqttIngestWorker> logger, WardChanges ward, IIngestStore store)
    {
        _lanes = store.ConcurrentWrites ? options.Value.StoreLanes : 1;
        _ward = ward;
        _identity = identity;
        _options = options;
        _processor = processor;
        _alerts = alerts;
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    /// <summary>Completes once the first subscription is in place (tests wait on it).</summary>
    public Task Subscribed => _subscribed.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = _options.Value;
        var broker = BrokerAddress.TryParse(o.Broker, out var parsed, out _) ? parsed! : throw new InvalidOperationException("Ingest:Broker is checked at start (IngestOptionsSemanticValidator).");
        var clientId = o.ClientId ?? $"edgetwin-ingest-{Guid.NewGuid():N}";
        var probe = _probe = new ReceiveProbe(TopicName.Probe(o.TopicPrefix, clientId), o.ReceiveProbeInterval, o.ReceiveStallAfter);
        var window = FlowControl.ReceiveMaximum(o);
        using var client = new MqttClientFactory().CreateMqttClient();
        _client = client;
        client.ApplicationMessageReceivedAsync += e => OnMessageAsync(e, stoppingToken);
        var connectOptions = new MqttClientOptionsBuilder()
            .WithBroker(broker, o)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(clientId)
            // A lasting session (Ingest:SessionExpiry) is resumed after a crash: the broker sends again what was not acknowledged.
            .WithCleanStart(o.SessionExpiry <= TimeSpan.Zero)
            .WithSessionExpiryInterval((uint)o.SessionExpiry.TotalSeconds)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(15))
            // The broker sends no more while this many wait for their PUBACK: a slow store leaves the backlog at the broker (FlowControl).
            .WithReceiveMaximum(checked((ushort)FlowControl.ReceiveMaximum(o)))
            .Build();

        // Store lanes by gateway: one gateway's messages are stored in order, by one lane at a time.
        var pipeline = _pipeline = new BatchPipeline<Pending, BatchResult>(
            FlowControl.InboxCapacity(o), FlowControl.BatchSize(o), FlowControl.CommittedBatches, _lanes, p => p.Message!.Message.Name.Gw,
            StoreAsync, (_, result, ct) => SendReceiptsAsync(client, result.Receipts, ct), AcknowledgeAsync);
        var processing = pipeline.RunAsync(stoppingToken);
        var reconnect = new BrokerReconnect(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), _time, (ex, delay) => IngestLog.BrokerUnavailable(_logger, broker.Host, broker.Port, delay, ex));
        var filters = TopicName.SharedFilters(o.SharedGroup, o.TopicPrefix);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!client.IsConnected)
                {
                    await reconnect.ConnectAsync(ct => ConnectAndSubscribeAsync(client, connectOptions, filters, ct), stoppingToken).ConfigureAwait(false);
                    IngestLog.Subscribed(_logger, broker.Host, broker.Port, o.SharedGroup, o.TopicPrefix, clientId, _lanes, FlowControl.BatchSize(o), window);
                    _subscribed.TrySetResult();
                }
                else if (probe.Check(_time.GetUtcNow(), Volatile.Read(ref _held), window, out var quiet) is var verdict && verdict != ProbeVerdict.Delivering)
                {
                    if (verdict == ProbeVerdict.WindowFull)
                    {
                        IngestLog.ProbeBehindAFullWindow(_logger, quiet, window);
                        _metrics.ProbeBehindAFullWindow();
                        continue;
                    }

                    IngestLog.ReceiveStalled(_logger, quiet, window - Volatile.Read(ref _held), probe.Topic);
                    _metrics.ReceiveStalled();
                    await DropConnectionAsync(client).ConfigureAwait(false);
                    continue;
                }
                else if (_probeSend.IsCompleted && probe.Due(_time.GetUtcNow()) is { } payload)
                {
                    _probeSend = SendProbeAsync(client, probe, payload, stoppingToken);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(500), _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
        }

        pipeline.Complete();
        await processing.ConfigureAwait(false);
        await _probeSend.ConfigureAwait(false);
        if (client.IsConnected)
        {
            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Publishes a message of the ingest's own (QoS 1) within <c>Ingest:PublishTimeout</c>; false when
    /// not connected, refused by the broker, not acknowledged in time or failed (logged, counted by
    /// kind and reason; the caller asks again at its next look).
    /// </summary>
    public async Task<bool> PublishAsync(string topic, byte[] payload, CancellationToken ct)
    {
        using var deadline = new CancellationTokenSource(_options.Value.PublishTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        var (reason, error) = await PublishOwnAsync(_client, topic, payload, linked.Token, ct).ConfigureAwait(false);
        if (reason is not null)
        {
            IngestLog.PublishFailed(_logger, TopicName.Kind(topic), topic, reason, _options.Value.PublishTimeout, error);
        }

        return reason is null;
    }

    /// <summary>
    /// One publish of the worker's own under the caller's deadline: null when the broker acknowledged
    /// it, else why not (counted by kind and reason; the caller logs). The worker stopping is thrown.
    /// </summary>
    private async Task<(string? Reason, Exception? Error)> PublishOwnAsync(IMqttClient? client, string topic, byte[] payload, CancellationToken deadline, CancellationToken stopping, string? kind = null)
    {
        (string Reason, Exception? Error) failed;
        if (client is not { IsConnected: true })
        {
            failed = ("not-connected", null);
        }
        else
        {
            try
            {
                var msg = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
                var result = await client.PublishAsync(msg, deadline).ConfigureAwait(false);
                if (result.IsSuccess)
                {
                    return (null, null);
                }

                // An MQTT 5 broker's refusal (an ACL: NotAuthorized, a quota) is a reason code, not an exception.
                failed = ($"refused-{result.ReasonCode}".ToLowerInvariant(), null);
            }
            catch (Exception ex) when (deadline.IsCancellationRequested && !stopping.IsCancellationRequested)
            {
                // MQTTnet says so with its own MqttCommunicationTimedOutException, not an OperationCanceledException.
                failed = ("timeout", ex);
            }
            catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or InvalidOperationException)
            {
                failed = (client.IsConnected ? "failed" : "not-connected", ex);
            }
        }

        _metrics.PublishFailed(kind ?? TopicName.Kind(topic), failed.Reason);
        return failed;
    }

    /// <summary>
    /// One probe, under <c>Ingest:PublishTimeout</c>: one the broker did not take is not out (it cannot
    /// come back, so it must not make a stall); counted and logged like the worker's other publishes.
    /// </summary>
    private async Task SendProbeAsync(IMqttClient client, ReceiveProbe probe, byte[] payload, CancellationToken ct)
    {
        try
        {
            using var deadline = new CancellationTokenSource(_options.Value.PublishTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
            var (reason, error) = await PublishOwnAsync(client, probe.Topic, payload, linked.Token, ct, "probe").ConfigureAwait(false);
            if (reason?.StartsWith("refused-", StringComparison.Ordinal) is true)
            {
                if (probe.Refused(payload))
                {
                    IngestLog.ProbeRefused(_logger, probe.Topic, reason, _options.Value.TopicPrefix);
                }
            }
            else if (reason is not null)
            {
                probe.NotSent(payload);
                IngestLog.PublishFailed(_logger, "probe", probe.Topic, reason, _options.Value.PublishTimeout, error);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // stopping
        }
    }

    /// <summary>Ends a stalled connection (within 5 s); the worker's loop connects again.</summary>
    private async Task DropConnectionAsync(IMqttClient client)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5), _time);
        try
        {
            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), deadline.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or InvalidOperationException)
        {
            // Gone already, or the DISCONNECT could not be sent: MQTTnet closes its side either way (7019 said why).
        }
    }

    /// <summary>
    /// Connects (within 10 s) and subscribes; a broker that refuses a subscription (an ACL, a broker
    /// without shared subscriptions) is a failure like a refused connection: said, and tried again.
    /// </summary>
    private async ValueTask ConnectAndSubscribeAsync(IMqttClient client, MqttClientOptions connectOptions, IReadOnlyList<string> filters, CancellationToken ct)
    {
        if (!client.IsConnected)
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10), _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
            var connected = await client.ConnectAsync(connectOptions, linked.Token).ConfigureAwait(false);
            if (!connected.IsSessionPresent)
            {
                // Before the subscription: the new session's messages carry its number.
                Interlocked.Increment(ref _session);
            }
        }

        // The probe's own filter (not shared: only this connection gets it) goes in the same SUBSCRIBE.
        var probe = _probe!;
        var subscribe = new MqttClientSubscribeOptionsBuilder();
        foreach (var filter in probe.Enabled ? [.. filters, probe.Topic] : filters)
        {
            subscribe.WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        var result = await client.SubscribeAsync(subscribe.Build(), ct).ConfigureAwait(false);
        var refused = result.Items.Where(i => i.TopicFilter.Topic != probe.Topic && i.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2).Select(i => $"{i.TopicFilter.Topic} ({i.ResultCode})").ToList();
        if (refused.Count > 0)
        {
            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), CancellationToken.None).ConfigureAwait(false);
            throw new SubscriptionRefusedException($"the broker refused the subscription {string.Join(", ", refused)}; it must allow this client shared subscriptions on these topics (deploy/mosquitto)");
        }

        // A broker that refuses the probe's filter (an ACL from before the probe) leaves the worker
        // working without one, said once per connection.
        if (probe.Connected(result, _time.GetUtcNow()) is { } probeRefused)
        {
            IngestLog.ProbeRefused(_logger, probe.Topic, probeRefused.ToString(), _options.Value.TopicPrefix);
        }
    }

    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e, CancellationToken ct)
    {
        // First: the session this message came in (a reconnect takes milliseconds; this read, none).
        var session = Interlocked.Read(ref _session);
        var topic = e.ApplicationMessage.Topic;
        var qos1 = e.ApplicationMessage.QualityOfServiceLevel != MqttQualityOfServiceLevel.AtMostOnce;
        if (qos1)
        {
            // The QoS 1 path delivers (QoS 0 is not held back by the receive window, and anyone may send it).
            _probe!.Received(_time.GetUtcNow());
        }

        if (topic == _probe!.Topic)
        {
            ProbeArrived(e, session, qos1);
            return;
        }

        if (!TopicName.TryParse(_options.Value.TopicPrefix, topic, out var name))
        {
            // Matches our filter but not PROTOCOL §2 names (e.g. upper case): nothing to store it under.
            IngestLog.BadTopic(_logger, topic);
            _metrics.Record("bad-topic");
            return;
        }

        if (!qos1)
        {
            // PROTOCOL §2: every topic the ingest takes is QoS 1. No receive window holds QoS 0 back, so
            // taking it would let anyone on the broker fill the inbox and, behind the waiting callback,
            // MQTTnet's unbounded queue (the worker's memory), and push the gateways' records back.
            DroppedQos0(topic);
            return;
        }

        e.AutoAcknowledge = false;
        InFlight(1);
        // Planned here (the header read), on the client's receive task beside the store stage's transaction.
        var message = BatchProcessor.Plan(new IncomingMessage(topic, name!, e.ApplicationMessage.Payload.ToArray(), _time.GetUtcNow()));
        await _pipeline!.EnqueueAsync(new Pending(message, e, session), ct).ConfigureAwait(false);
    }

    /// <summary>
    /// A message on the probe topic: the worker's own probe back (its round trip measured) or anything
    /// else (counted, nothing more). A QoS 1 one is acknowledged in its place among the PUBACKs.
    /// </summary>
    private void ProbeArrived(MqttApplicationMessageReceivedEventArgs e, long session, bool qos1)
    {
        if (_probe!.Arrived(e.ApplicationMessage.Payload.IsSingleSegment ? e.ApplicationMessage.Payload.FirstSpan : e.ApplicationMessage.Payload.ToArray(), _time.GetUtcNow()) is { } roundTrip)
        {
            _metrics.ProbeReturned(roundTrip);
        }
        else
        {
            _metrics.ProbeUnmatched();
        }

        if (qos1)
        {
            e.AutoAcknowledge = false;
            InFlight(1);
            _pipeline!.EnqueueDone(new Pending(null, e, session));
        }
    }

    private void InFlight(int change)
    {
        Interlocked.Add(ref _held, change);
        _metrics.InFlight(change);
    }

    /// <summary>Counts a QoS 0 message dropped; logs the count at most once a minute, however many come.</summary>
    private void DroppedQos0(string topic)
    {
        _metrics.Record("qos0-dropped");
        var now = _time.GetUtcNow();
        lock (_qos0Gate)
        {
            _qos0Dropped++;
            if (now - _qos0LoggedAt >= TimeSpan.FromMinutes(1))
            {
                IngestLog.Qos0Dropped(_logger, _qos0Dropped, topic);
                (_qos0Dropped, _qos0LoggedAt) = (0, now);
            }
        }
    }

    private async Task<BatchResult> StoreAsync(List<Pending> batch, CancellationToken ct)
    {
        var result = await ProcessWithRetryAsync(batch, ct).ConfigureAwait(false);
        _alerts.Published(result.Alerts);
        _ward.Notify(batch.Select(p => p.Message!.Message.Name.Gw));
        return result;
    }

    private async Task SendReceiptsAsync(IMqttClient client, IReadOnlyList<ReceiptDue> receipts, CancellationToken ct)
    {
        // What is committed stays committed: a receipt the broker did not take is sent again when the
        // gateway resends (a duplicate of a receipted record re-sends it), a lost PUBACK means a
        // harmless redelivery. So the PUBACKs go whatever became of the receipts: a batch left
        // unacknowledged would keep its room in the worker's receive window until the connection
        // ends, and the broker would send this worker no more of the group's share.
        try
        {
            await PublishReceiptsAsync(client, receipts, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            IngestLog.ReceiptsNotAcknowledged(_logger, receipts.Count, receipts.Count, "failed", _options.Value.PublishTimeout, ex);
        }
    }

    /// <summary>
    /// PUBACKs, in the order the messages were received (the pipeline hands them so: MQTT 5 §4.6), for
    /// the messages of the broker session the worker is in. MQTTnet sends a PUBACK on whatever
    /// connection is up, and a packet id names a message only within its session: after a new session
    /// (a clean start once the connection went) an old message's id may be a message of the new one
    /// that is not stored yet, which the PUBACK would take off the broker's hands. Those are counted and
    /// logged (7016), not acknowledged: the old session is gone with them, and they are stored.
    /// </summary>
    private async Task AcknowledgeAsync(List<Pending> inOrder, CancellationToken ct)
    {
        var held = inOrder.Count;
        var session = Interlocked.Read(ref _session);
        var skipped = 0;
        try
        {
            foreach (var p in inOrder)
            {
                // Counted out before the PUBACK goes, so the gauge never counts a message the broker already has room for again.
                held--;
                InFlight(-1);
                if (p.Session != session)
                {
                    skipped++;
                    continue;
                }

                await p.Args.AcknowledgeAsync(ct).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            IngestLog.AcknowledgeFailed(_logger, held + 1, inOrder.Count, ex);
        }
        finally
        {
            // Not acknowledged after all (the connection went): no longer held here either; the broker or the gateway sends them again.
            InFlight(-held);
            if (skipped > 0)
            {
                _metrics.AcknowledgementsSkipped(skipped);
                IngestLog.AcknowledgementsOfAnEndedSession(_logger, skipped, inOrder.Count);
            }
        }
    }

    /// <summary>
    /// A batch's receipts (one per chain that advanced), all at once under one deadline
    /// (<c>Ingest:PublishTimeout</c>): MQTTnet sets none, and a publish the broker never acknowledges
    /// would otherwise hold the send stage, and so every PUBACK after it, for ever.
    /// </summary>
    private async Task PublishReceiptsAsync(IMqttClient client, IReadOnlyList<ReceiptDue> receipts, CancellationToken ct)
    {
        if (receipts.Count == 0)
        {
            return;
        }

        var timeout = _options.Value.PublishTimeout;
        using var deadline = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        var sends = new Task<(string? Reason, Exception? Error)>[receipts.Count];
        for (var i = 0; i < receipts.Count; i++)
        {
            var receipt = receipts[i];
            sends[i] = PublishOwnAsync(client, TopicName.Receipt(_options.Value.TopicPrefix, receipt.Site, receipt.Gw), receipt.Sign(_identity.Key).ToPayload(), linked.Token, ct);
        }

        var outcomes = await Task.WhenAll(sends).ConfigureAwait(false);
        var failed = outcomes.Where(o => o.Reason is not null).ToList();
        for (var i = 0; i < receipts.Count - failed.Count; i++)
        {
            _metrics.Receipt();
        }

        if (failed.Count > 0)
        {
            // One line per batch, however many chains it advanced.
            var reasons = string.Join(", ", failed.GroupBy(o => o.Reason).Select(g => $"{g.Count()} {g.Key}"));
            IngestLog.ReceiptsNotAcknowledged(_logger, failed.Count, receipts.Count, reasons, timeout, failed.Select(o => o.Error).FirstOrDefault(e => e is not null));
        }
    }

    private async Task<BatchResult> ProcessWithRetryAsync(List<Pending> batch, CancellationToken ct)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                var result = await _processor.ProcessAsync(batch.Select(p => p.Message!).ToList(), ct).ConfigureAwait(false);
                IngestLog.BatchStored(_logger, batch.Count, result.Stored, result.Duplicates, result.Evidence, result.Receipts.Count);
                _metrics.Committed(result);
                return result;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // The store is down or a transaction failed: nothing was committed, nothing acknowledged.
                IngestLog.StoreFailed(_logger, batch.Count, delay, ex);
                _metrics.BatchFailed(ex);
                await Task.Delay(delay, _time, ct).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    /// <summary>
    /// A message as received: planned (null: the worker's probe, only acknowledged), its MQTTnet event
    /// (for the PUBACK) and the broker session it came in.
    /// </summary>
    private sealed record Pending(PlannedMessage? Message, MqttApplicationMessageReceivedEventArgs Args, long Session);
}
