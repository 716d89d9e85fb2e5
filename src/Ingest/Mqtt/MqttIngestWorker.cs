namespace EdgeTwin.Ingest.Mqtt;

using System.Buffers;
using EdgeTwin.Ingest.Alerts;
using EdgeTwin.Ingest.Identity;
using EdgeTwin.Ingest.Metrics;
using EdgeTwin.Ingest.Options;
using EdgeTwin.Ingest.Processing;
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
    private BatchPipeline<Pending, BatchResult>? _pipeline;
    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile IMqttClient? _client;

    public MqttIngestWorker(IOptions<IngestOptions> options, BatchProcessor processor, AlertPublisher alerts, IngestMetrics metrics, TimeProvider time, IngestIdentity identity, ILogger<MqttIngestWorker> logger, WardChanges ward)
    {
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
            .WithReceiveMaximum(checked((ushort)FlowControl.ReceiveMaximum(o.BatchSize)))
            .Build();

        var pipeline = _pipeline = new BatchPipeline<Pending, BatchResult>(FlowControl.InboxCapacity(o.BatchSize), o.BatchSize, FlowControl.CommittedBatches, StoreAsync, (batch, result, ct) => SendAsync(client, result.Receipts, batch, ct));
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
                    IngestLog.Subscribed(_logger, broker.Host, broker.Port, o.SharedGroup, o.TopicPrefix, clientId);
                    _subscribed.TrySetResult();
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
        if (client.IsConnected)
        {
            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Publishes a message of the ingest's own (QoS 1); false when not connected or it failed (the next look asks again).</summary>
    public async Task<bool> PublishAsync(string topic, byte[] payload, CancellationToken ct)
    {
        if (_client is not { IsConnected: true } client)
        {
            return false;
        }

        try
        {
            var msg = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
            return (await client.PublishAsync(msg, ct).ConfigureAwait(false)).IsSuccess;
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or InvalidOperationException)
        {
            return false;
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
            await client.ConnectAsync(connectOptions, linked.Token).ConfigureAwait(false);
        }

        var subscribe = new MqttClientSubscribeOptionsBuilder();
        foreach (var filter in filters)
        {
            subscribe.WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        var result = await client.SubscribeAsync(subscribe.Build(), ct).ConfigureAwait(false);
        var refused = result.Items.Where(i => i.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2).Select(i => $"{i.TopicFilter.Topic} ({i.ResultCode})").ToList();
        if (refused.Count > 0)
        {
            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), CancellationToken.None).ConfigureAwait(false);
            throw new SubscriptionRefusedException($"the broker refused the subscription {string.Join(", ", refused)}; it must allow this client shared subscriptions on these topics (deploy/mosquitto)");
        }
    }
    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e, CancellationToken ct)
    {
        var topic = e.ApplicationMessage.Topic;
        if (!TopicName.TryParse(_options.Value.TopicPrefix, topic, out var name))
        {
            // Matches our filter but not PROTOCOL §2 names (e.g. upper case): nothing to store it under.
            IngestLog.BadTopic(_logger, topic);
            _metrics.Record("bad-topic");
            return;
        }

        e.AutoAcknowledge = false;
        _metrics.InFlight(1);
        // Planned here (the header read), on the client's receive task beside the store stage's transaction.
        var message = BatchProcessor.Plan(new IncomingMessage(topic, name!, e.ApplicationMessage.Payload.ToArray(), _time.GetUtcNow()));
        await _pipeline!.EnqueueAsync(new Pending(message, e), ct).ConfigureAwait(false);
    }

    private async Task<BatchResult> StoreAsync(List<Pending> batch, CancellationToken ct)
    {
        var result = await ProcessWithRetryAsync(batch, ct).ConfigureAwait(false);
        _alerts.Published(result.Alerts);
        _ward.Notify(batch.Select(p => p.Message.Message.Name.Gw));
        return result;
    }

    private async Task SendAsync(IMqttClient client, IReadOnlyList<ReceiptDue> receipts, List<Pending> batch, CancellationToken ct)
    {
        // What is committed stays committed: a lost receipt is sent again when the gateway resends
        // (a duplicate of a receipted record re-sends it), a lost PUBACK means a harmless redelivery.
        var held = batch.Count;
        try
        {
            foreach (var receipt in receipts)
            {
                var msg = new MqttApplicationMessageBuilder()
                    .WithTopic(TopicName.Receipt(_options.Value.TopicPrefix, receipt.Site, receipt.Gw))
                    .WithPayload(receipt.Sign(_identity.Key).ToPayload())
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                    .Build();
                await client.PublishAsync(msg, ct).ConfigureAwait(false);
                _metrics.Receipt();
            }

            foreach (var p in batch)
            {
                // Counted out before the PUBACK goes, so the gauge never counts a message the broker already has room for again.
                held--;
                _metrics.InFlight(-1);
                await p.Args.AcknowledgeAsync(ct).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            IngestLog.SendFailed(_logger, receipts.Count, batch.Count, ex);
        }
        finally
        {
            // Not acknowledged after all (the connection went): no longer held here either; the broker or the gateway sends them again.
            _metrics.InFlight(-held);
        }
    }

    private async Task<BatchResult> ProcessWithRetryAsync(List<Pending> batch, CancellationToken ct)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                var result = await _processor.ProcessAsync(batch.Select(p => p.Message).ToList(), ct).ConfigureAwait(false);
                IngestLog.BatchStored(_logger, batch.Count, result.Stored, result.Duplicates, result.Evidence, result.Receipts.Count);
                _metrics.Committed(result);
                return result;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // The store is down or a transaction failed: nothing was committed, nothing acknowledged.
                IngestLog.StoreFailed(_logger, batch.Count, delay, ex);
                await Task.Delay(delay, _time, ct).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    private sealed record Pending(PlannedMessage Message, MqttApplicationMessageReceivedEventArgs Args);
}
