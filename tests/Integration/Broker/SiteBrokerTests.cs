namespace EdgeTwin.Integration.Tests.Broker;

using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using EdgeTwin.Gateway.Chains;
using EdgeTwin.Ingest;
using EdgeTwin.Ingest.Mqtt;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Integration.Tests.Support;
using EdgeTwin.Mqtt;
using EdgeTwin.Mqtt.Tests.Support;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Signing;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using System.Diagnostics.Metrics;
using EdgeTwin.Gateway.Diagnostics;
using EdgeTwin.Ingest.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

/// <summary>
/// Issue 11 item 4: the shipped <c>deploy/mosquitto</c> configuration (TLS, client certificates, ACL)
/// with the real gateway and the real ingest. Certificates come from a CA the fixture makes.
/// </summary>
public sealed class SiteBrokerTests
{
    private const string Prefix = "edgetwin/v1";
    private const string Site = "site-it";
    private static readonly TimeSpan Wait60 = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task GatewayAndIngest_OverTlsWithClientCertificates_IngestVerifiesTheRecords_AndItsReceiptsShrinkTheOutbox()
    {
        using var broker = new SiteBroker();
        var data = Directory.CreateTempSubdirectory("edgetwin-it-gw-").FullName;
        var keyPath = Path.Combine(data, "gateway.key");
        string address;
        using (var key = GatewayKey.Generate())
        {
            key.SaveToFile(keyPath);
            address = key.Address;
        }

        await using var ingest = await IngestOnBroker.StartAsync(broker, ("gw-it", address));
        var gateway = await InProcessGateway.StartAsync(InProcessGateway.Args(
            data, broker.Mosquitto.Port, [.. broker.Settings("Uplink", "gw-it"), "--Uplink:Receipts=true", $"--Uplink:ReceiptSigners:0={ingest.Address()}", $"--Gateway:KeyFile={keyPath}"]));
        var book = (ChainBook)gateway.Services.GetService(typeof(ChainBook))!;

        // Records reach the ingest and verify: the gateway may publish on its own topics.
        await Wait.UntilAsync(
            () => ingest.Chains().Any(c => (string)c!["gw"]! == "gw-it" && (string)c["lane"]! == "telemetry" && (long)c["verifiedThrough"]! >= 100),
            Wait60,
            "the ingest to verify 100 telemetry records of gw-it over TLS");

        // Receipts come back: the ingest may publish them and the gateway may read its own.
        await Wait.UntilAsync(
            () => book.Store.Usage(Lane.Telemetry).Records < book.Head(Lane.Telemetry).Seq - 50,
            Wait60,
            $"the outbox to shrink below head - 50 (head {book.Head(Lane.Telemetry).Seq}, outbox {book.Store.Usage(Lane.Telemetry).Records})");

        await gateway.StopAsync(); // fails on any error the gateway logged (e.g. a denied publish)
        await gateway.DisposeAsync();
        Assert.DoesNotContain(ingest.Alerts(), a => (string)a!["kind"]! is not ("new-epoch" or "replay"));
        Directory.Delete(data, recursive: true);
    }

    [Fact]
    public async Task ClientWithoutCertificate_WithAForeignCertificate_OrWithoutTls_IsRefused_WhileASiteCertificateConnects()
    {
        using var broker = new SiteBroker();
        using var rogue = new TestCertificateAuthority("rogue CA");
        var (certificate, key) = broker.Client("gw-a");
        var rogueCertificate = Path.Combine(Path.GetDirectoryName(certificate)!, "rogue-gw-a.pem");
        var rogueKey = Path.Combine(Path.GetDirectoryName(certificate)!, "rogue-gw-a.key");
        using (var issued = rogue.IssueClient("gw-a"))
        {
            TestCertificateAuthority.WritePem(issued, rogueCertificate, rogueKey);
        }

        var tls = new BrokerAddress("127.0.0.1", broker.Mosquitto.Port, Tls: true);
        Assert.Equal(MqttClientConnectResultCode.Success, await ConnectAsync(tls, new Transport { CaFile = broker.CaFile, ClientCertificateFile = certificate, ClientKeyFile = key }));
        Assert.Null(await ConnectAsync(tls, new Transport { CaFile = broker.CaFile }));
        Assert.Null(await ConnectAsync(tls, new Transport { CaFile = broker.CaFile, Username = "gw-a", Password = "guess" }));
        Assert.Null(await ConnectAsync(tls, new Transport { CaFile = broker.CaFile, ClientCertificateFile = rogueCertificate, ClientKeyFile = rogueKey }));
        Assert.Null(await ConnectAsync(tls with { Tls = false }, new Transport()));
    }

    [Fact]
    public async Task GatewayCertificate_PublishingAsAnotherGateway_IsDenied_TheIngestStoresNothing_AndTheIngestCertificateSeesNothing()
    {
        using var broker = new SiteBroker();
        using var keyA = GatewayKey.Generate();
        using var keyB = GatewayKey.Generate();
        await using var ingest = await IngestOnBroker.StartAsync(broker, ("gw-a", keyA.Address), ("gw-b", keyB.Address));
        var tls = new BrokerAddress("127.0.0.1", broker.Mosquitto.Port, Tls: true);

        // A reader with the ingest's certificate on everything gateways publish.
        var (ingestCertificate, ingestKey) = broker.Client(SiteBroker.IngestName);
        using var observer = await ConnectedAsync(tls, new Transport { CaFile = broker.CaFile, ClientCertificateFile = ingestCertificate, ClientKeyFile = ingestKey });
        var seen = new ConcurrentQueue<string>();
        observer.ApplicationMessageReceivedAsync += e =>
        {
            seen.Enqueue(e.ApplicationMessage.Topic);
            return Task.CompletedTask;
        };
        var subscribe = new MqttClientSubscribeOptionsBuilder();
        foreach (var leaf in new[] { "telemetry", "alarm", "twin/reported", "status" })
        {
            subscribe.WithTopicFilter($"{Prefix}/+/+/{leaf}", MqttQualityOfServiceLevel.AtLeastOnce);
        }

        var granted = await observer.SubscribeAsync(subscribe.Build());
        Assert.All(granted.Items, i => Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, i.ResultCode));

        // gw-a's certificate with gw-b's genuinely signed chain (the key alone does not make a publisher).
        var (certificateA, keyFileA) = broker.Client("gw-a");
        using var attacker = await ConnectedAsync(tls, new Transport { CaFile = broker.CaFile, ClientCertificateFile = certificateA, ClientKeyFile = keyFileA }, "gw-a");
        var forged = Chain("gw-b", keyB, 20);
        foreach (var record in forged)
        {
            var result = await attacker.PublishAsync(Message($"{Prefix}/{Site}/gw-b/telemetry", record.Payload, retain: false));
            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, result.ReasonCode);
        }

        foreach (var (leaf, json) in new[] { ("status", """{"online":true}"""), ("twin/reported", """{"v":1}""") })
        {
            var result = await attacker.PublishAsync(Message($"{Prefix}/{Site}/gw-b/{leaf}", Encoding.UTF8.GetBytes(json), retain: true));
            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, result.ReasonCode);
        }

        // The same certificate on its own topics, after the forgeries: once these are through, the forgeries would have been too.
        var own = Chain("gw-a", keyA, 20);
        foreach (var record in own)
        {
            var result = await attacker.PublishAsync(Message($"{Prefix}/{Site}/gw-a/telemetry", record.Payload, retain: false));
            Assert.Equal(MqttClientPublishReasonCode.Success, result.ReasonCode);
        }

        await Wait.UntilAsync(() => seen.Count(t => t.Contains("/gw-a/", StringComparison.Ordinal)) == own.Count, Wait60, $"the observer to see gw-a's {own.Count} records");
        await Wait.UntilAsync(
            () => ingest.Chains().Any(c => (string)c!["gw"]! == "gw-a" && (long)c["received"]! == own.Count),
            Wait60,
            $"the ingest to store gw-a's {own.Count} records");

        Assert.DoesNotContain(seen, t => t.Contains("/gw-b/", StringComparison.Ordinal));
        Assert.DoesNotContain(ingest.Chains(), c => (string)c!["gw"]! == "gw-b");
        Assert.Equal(own.Count, seen.Count);
    }

    [Fact]
    public async Task IngestProbe_ComesBackThroughTheShippedAcl_WhileAGatewayCertificateMayNeitherReadNorWriteItsTopic()
    {
        using var broker = new SiteBroker();
        await using var ingest = await IngestOnBroker.StartAsync(broker, ["--Ingest:ReceiveProbeInterval=00:00:00.200", "--Ingest:ReceiveStallAfter=00:00:05"]);
        var meters = ingest.Services.GetRequiredService<IMeterFactory>();
        using var probes = new MetricCollector<long>(meters, IngestMetrics.MeterName, "edgetwin.ingest.receive.probes");
        using var stalls = new MetricCollector<long>(meters, IngestMetrics.MeterName, "edgetwin.ingest.receive.stalls");
        await Wait.UntilAsync(() => probes.Counted("returned") >= 3, Wait60, "three of the ingest's probes back through the site broker");

        // A gateway's certificate: the probe topic is neither its to read nor its to write.
        var tls = new BrokerAddress("127.0.0.1", broker.Mosquitto.Port, Tls: true);
        var (certificate, key) = broker.Client("gw-a");
        using var gateway = await ConnectedAsync(tls, new Transport { CaFile = broker.CaFile, ClientCertificateFile = certificate, ClientKeyFile = key }, "gw-a");
        var delivered = new ConcurrentQueue<string>();
        gateway.ApplicationMessageReceivedAsync += e =>
        {
            delivered.Enqueue(e.ApplicationMessage.Topic);
            return Task.CompletedTask;
        };

        // mosquitto 2.0 grants the subscription and checks each message's read access as it delivers it.
        await gateway.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter($"{Prefix}/ingest.probe/+", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        var returned = probes.Counted("returned");
        await Wait.UntilAsync(() => probes.Counted("returned") >= returned + 3, Wait60, "three more probes back while the gateway is subscribed");
        Assert.Empty(delivered);
        var probeTopic = EdgeTwin.Ingest.Topics.TopicName.Probe(Prefix, (string)ingest.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<EdgeTwin.Ingest.Options.IngestOptions>>().Value.ClientId!);
        var published = await gateway.PublishAsync(Message(probeTopic, "00"u8.ToArray(), retain: false));
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, published.ReasonCode);

        Assert.Equal(0, stalls.Counted());
        Assert.Equal(0, probes.Counted("unmatched"));
    }

    [Fact]
    public async Task GatewayProbe_ComesBackThroughTheShippedAcl_WhileAnotherGatewaysCertificateMayNeitherReadNorWriteItsTopic()
    {
        using var broker = new SiteBroker();
        var data = Directory.CreateTempSubdirectory("edgetwin-it-gw-").FullName;
        var gateway = await InProcessGateway.StartAsync(InProcessGateway.Args(
            data, broker.Mosquitto.Port, [.. broker.Settings("Uplink", "gw-it"), "--Uplink:ReceiveProbeInterval=00:00:00.200", "--Uplink:ReceiveStallAfter=00:00:05"]));
        var meters = gateway.Services.GetRequiredService<IMeterFactory>();
        using var probes = new MetricCollector<long>(meters, GatewayMetrics.MeterName, "edgetwin.uplink.receive.probes");
        using var stalls = new MetricCollector<long>(meters, GatewayMetrics.MeterName, "edgetwin.uplink.receive.stalls");
        await Wait.UntilAsync(() => probes.Counted("returned") >= 3, Wait60, "three of the gateway's probes back through the site broker");

        // Another gateway's certificate: the probe topic of gw-it is neither its to read nor its to write.
        var tls = new BrokerAddress("127.0.0.1", broker.Mosquitto.Port, Tls: true);
        var (certificate, key) = broker.Client("gw-b");
        using var other = await ConnectedAsync(tls, new Transport { CaFile = broker.CaFile, ClientCertificateFile = certificate, ClientKeyFile = key }, "gw-b");
        var delivered = new ConcurrentQueue<string>();
        other.ApplicationMessageReceivedAsync += e =>
        {
            delivered.Enqueue(e.ApplicationMessage.Topic);
            return Task.CompletedTask;
        };
        await other.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter($"{Prefix}/gateway.probe/+", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        var returned = probes.Counted("returned");
        await Wait.UntilAsync(() => probes.Counted("returned") >= returned + 3, Wait60, "three more probes back while gw-b is subscribed");
        Assert.Empty(delivered);
        var published = await other.PublishAsync(Message($"{Prefix}/gateway.probe/gw-it", "00"u8.ToArray(), retain: false));
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, published.ReasonCode);

        Assert.Equal(0L, stalls.Observed());
        Assert.Equal(0, probes.Counted("unmatched"));
        await gateway.StopAsync(); // fails on any error the gateway logged
        await gateway.DisposeAsync();
        Directory.Delete(data, recursive: true);
    }

    /// <summary>A genesis, <paramref name="observations"/> heart rates and a closing checkpoint, signed by <paramref name="key"/>.</summary>
    private static List<ChainRecord> Chain(string gw, GatewayKey key, int observations)
    {
        var now = DateTimeOffset.UtcNow;
        var writer = ChainWriter.StartNew(gw, Lane.Telemetry, key, new CheckpointPolicy(), GenesisReason.FirstStart, "it", now, ClockQuality.Synced, out var genesis);
        var records = new List<ChainRecord> { genesis };
        for (var i = 0; i < observations; i++)
        {
            records.Add(writer.AppendObs(new ObsBody($"p-{gw}", $"{gw}-mon", "loinc:8867-4", "/min", now, 0, [60 + i]), now, ClockQuality.Synced));
        }

        records.Add(writer.Checkpoint(now, ClockQuality.Synced)!);
        return records;
    }

    private static MqttApplicationMessage Message(string topic, byte[] payload, bool retain) =>
        new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithRetainFlag(retain)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();

    private static MqttClientOptions Options(BrokerAddress broker, BrokerTransportSettings transport, string? clientId = null) =>
        new MqttClientOptionsBuilder()
            .WithBroker(broker, transport)
            .WithClientId(clientId ?? $"it-{Guid.NewGuid():N}")
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithTimeout(TimeSpan.FromSeconds(10))
            .Build();

    private static async Task<IMqttClient> ConnectedAsync(BrokerAddress broker, BrokerTransportSettings transport, string? clientId = null)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var result = await client.ConnectAsync(Options(broker, transport, clientId), timeout.Token);
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        return client;
    }

    /// <summary>The broker's answer to a connect, or null when it closed the connection before answering.</summary>
    private static async Task<MqttClientConnectResultCode?> ConnectAsync(BrokerAddress broker, BrokerTransportSettings transport)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            var result = await client.ConnectAsync(Options(broker, transport), timeout.Token);
            return client.IsConnected ? result.ResultCode : null;
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or IOException or SocketException or MQTTnet.Adapter.MqttConnectingFailedException)
        {
            return null;
        }
    }

    private sealed class Transport : BrokerTransportSettings;

    /// <summary>The real ingest (in this process) on the site broker with the ingest's certificate.</summary>
    private sealed class IngestOnBroker : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly string _storage;

        private IngestOnBroker(WebApplication app, string storage, HttpClient http)
        {
            _app = app;
            _storage = storage;
            Http = http;
        }

        public HttpClient Http { get; }

        public IServiceProvider Services => _app.Services;

        public static Task<IngestOnBroker> StartAsync(SiteBroker broker, params (string Gw, string Address)[] enrolled) => StartAsync(broker, [], enrolled);

        public static async Task<IngestOnBroker> StartAsync(SiteBroker broker, string[] settings, params (string Gw, string Address)[] enrolled)
        {
            var storage = Directory.CreateTempSubdirectory("edgetwin-it-ingest-").FullName;
            var httpPort = Mosquitto.FreePort();
            var app = IngestHost.Create(
            [
                $"--urls=http://127.0.0.1:{httpPort}", $"--Ingest:Storage=litedb:{storage}", "--Logging:LogLevel:Default=Warning",
                .. broker.Settings("Ingest", SiteBroker.IngestName),
                .. enrolled.Select(e => $"--Ingest:Enrolled:{e.Gw}={e.Address}"),
                $"--Ingest:ClientId=ingest-it-{Guid.NewGuid():N}", .. settings,
            ]);
            using var start = new CancellationTokenSource(Wait60);
            await app.StartAsync(start.Token);
            await app.Services.GetRequiredService<MqttIngestWorker>().Subscribed.WaitAsync(start.Token);
            return new IngestOnBroker(app, storage, new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") }.WithToken(IngestTokens.Mint(app.Services)));
        }

        /// <summary>The address that signs this ingest's receipts (its key is made in the storage directory at first start).</summary>
        public string Address() => (string)Http.GetFromJsonAsync<JsonObject>("/api/identity").GetAwaiter().GetResult()!["address"]!;

        public JsonArray Chains() => Http.GetFromJsonAsync<JsonArray>("/api/chains").GetAwaiter().GetResult()!;

        public JsonArray Alerts() => Http.GetFromJsonAsync<JsonArray>("/api/alerts").GetAwaiter().GetResult()!;

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await _app.StopAsync();
            await _app.DisposeAsync();
            Directory.Delete(_storage, recursive: true);
        }
    }
}
