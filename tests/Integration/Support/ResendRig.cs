namespace EdgeTwin.Integration.Tests.Support;

using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Outbox;
using EdgeTwin.Telemetry.Signing;

/// <summary>
/// Real mosquitto, the real gateway process (simulated 4-bed ward, receipts on, the ingest's address
/// as its receipt signer) and the real ingest process, with their HTTP views: the gateway's /status
/// and /metrics, the ingest's /api/chains (with a token from the test's signing key). The ingest's
/// key is made by the test (a known key file).
/// </summary>
internal sealed class ResendRig : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("edgetwin-it-resend-").FullName;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(20) };
    private readonly int _statusPort = Mosquitto.FreePort();
    // Taken when the ingest starts, not when the rig is made: a test that starts it late (after the
    // gateway wrote for 20 s) lost the port to a neighbour's process meanwhile ("address already in use").
    private int _ingestPort;
    private readonly string _tokenKeyFile;
    private readonly string? _gatewayData;

    /// <param name="gatewayData">The gateway's data directory (default: under the rig's own temporary directory), e.g. on a <c>SmallFilesystem</c> (Support/SmallFilesystem.cs).</param>
    /// <param name="gatewayMakesItsKey">
    /// false: the test makes the gateway's key (a known key file beside the data directory); true: the
    /// gateway generates its own on its first start, in its data directory (its default, no
    /// <c>Gateway:KeyFile</c>), and <see cref="AdoptGatewayKeyAsync"/> reads its address to enrol.
    /// </param>
    public ResendRig(bool brokerPersistence = true, string? gatewayData = null, bool gatewayMakesItsKey = false)
    {
        _gatewayData = gatewayData;
        GatewayMakesItsKey = gatewayMakesItsKey;
        Broker = new Mosquitto(brokerPersistence);
        Directory.CreateDirectory(GatewayData);
        Directory.CreateDirectory(IngestData);
        if (!gatewayMakesItsKey)
        {
            using var gatewayKey = GatewayKey.Generate();
            gatewayKey.SaveToFile(GatewayKeyFile);
            GatewayAddress = gatewayKey.Address;
        }

        using var ingestKey = GatewayKey.Generate();
        ingestKey.SaveToFile(IngestKeyFile);
        IngestAddress = ingestKey.Address;
        _tokenKeyFile = IngestTokens.NewKeyFile(_root);
        _http.WithToken(IngestTokens.Mint(_tokenKeyFile));
    }

    public Mosquitto Broker { get; }

    public string GatewayData => _gatewayData ?? Path.Combine(_root, "gateway");

    /// <summary>Environment variables of every gateway process this rig starts from now on (e.g. libfaketime's).</summary>
    public IReadOnlyDictionary<string, string>? GatewayEnvironment { get; set; }

    public string IngestData => Path.Combine(_root, "ingest");

    /// <summary>Whether the gateway generates its key itself (see the constructor).</summary>
    public bool GatewayMakesItsKey { get; }

    public string GatewayKeyFile => Path.Combine(GatewayMakesItsKey ? GatewayData : _root, "gateway.key");

    public string IngestKeyFile => Path.Combine(_root, "ingest.key");

    /// <summary>The gateway key's address, the one the ingest enrols (empty until <see cref="AdoptGatewayKeyAsync"/> when the gateway makes its key).</summary>
    public string GatewayAddress { get; private set; } = string.Empty;

    public string IngestAddress { get; }

    public GatewayProcess? Gateway { get; private set; }

    public GatewayProcess? Ingest { get; private set; }

    /// <summary>
    /// How the gateway processes this rig starts from now on are launched, given the working directory and
    /// the arguments (default: the built dll with <see cref="GatewayEnvironment"/>); e.g. an arm64 publish under qemu.
    /// </summary>
    public Func<string, string[], GatewayProcess>? GatewayLauncher { get; set; }

    public string Topic(string leaf) => $"edgetwin/v1/site-it/gw-it/{leaf}";

    public void StartGateway(params string[] extra)
    {
        string[] args = InProcessGateway.Args(GatewayData, Broker.Port,
        [
            "--Uplink:Receipts=true", $"--Uplink:ReceiptSigners:0={IngestAddress}", .. (GatewayMakesItsKey ? Array.Empty<string>() : [$"--Gateway:KeyFile={GatewayKeyFile}"]),
            "--Simulation:Beds=4", $"--Status:Url=http://127.0.0.1:{_statusPort}", .. extra,
        ]);
        Gateway = GatewayLauncher is { } launch ? launch(_root, args) : GatewayProcess.Start(_root, args, GatewayEnvironment);
    }

    /// <summary>Waits for the key the started gateway generates (<see cref="GatewayMakesItsKey"/>) and takes its address as the one to enrol.</summary>
    public async Task AdoptGatewayKeyAsync(TimeSpan timeout)
    {
        await Wait.UntilAsync(() => Task.FromResult(File.Exists(GatewayKeyFile)), timeout, () => $"the gateway generating {GatewayKeyFile}\n{Output()}");
        using var key = GatewayKey.LoadFromFile(GatewayKeyFile);
        GatewayAddress = key.Address;
    }

    /// <summary>The ingest whose API this rig reads (<see cref="ChainAsync"/>), on LiteDB unless <paramref name="extra"/> says otherwise (a later setting wins).</summary>
    public void StartIngest(params string[] extra)
    {
        _ingestPort = Mosquitto.FreePort();
        Ingest = StartIngestOn(_ingestPort, extra);
    }

    /// <summary>
    /// One more ingest worker with the same key, enrolment and token key on a port of its own (give
    /// it a shared store and group in <paramref name="extra"/>, as every worker of a deployment has).
    /// </summary>
    public GatewayProcess StartIngestWorker(params string[] extra) => StartIngestOn(Mosquitto.FreePort(), extra);

    private GatewayProcess StartIngestOn(int port, string[] extra) =>
        GatewayProcess.StartIngest(_root,
        [
            $"--urls=http://127.0.0.1:{port}", $"--Ingest:Broker={Broker.Url}", $"--Ingest:Storage=litedb:{IngestData}",
            $"--Ingest:Enrolled:gw-it={GatewayAddress}", $"--Ingest:KeyFile={IngestKeyFile}", "--Ingest:ResendInterval=00:00:02",
            IngestTokens.KeyFileArg(_tokenKeyFile), "--Logging:LogLevel:Default=Warning", .. extra,
        ]);

    /// <summary>SIGTERM and wait: the ingest commits and acknowledges what it has, then leaves.</summary>
    public void StopIngest()
    {
        Ingest!.Terminate();
        Assert.True(Ingest.WaitForExit(TimeSpan.FromSeconds(40)), "ingest stops on SIGTERM");
        Ingest.Dispose();
        Ingest = null;
    }

    /// <summary>The gateway's /status (null while it is not answering yet).</summary>
    public async Task<JsonNode?> StatusAsync()
    {
        try
        {
            return await _http.GetFromJsonAsync<JsonNode>($"http://127.0.0.1:{_statusPort}/status");
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>The gateway's committed counts of <paramref name="lane"/> from /status (null while it does not answer or has committed nothing).</summary>
    public async Task<LaneCounts?> ChainedAsync(string lane = "telemetry") =>
        await StatusAsync() is { } s && s["lanes"]![lane]!["chained"] is JsonObject c
            ? new LaneCounts((string)c["epoch"]!, (long)c["fromSeq"]!, (long)c["throughSeq"]!, (long)c["obsRecords"]!, (long)c["samples"]!)
            : null;

    public async Task<(string Epoch, long Head, long Stored)> LaneAsync(string lane)
    {
        var s = (await StatusAsync())!["lanes"]![lane]!;
        return ((string)s["epoch"]!, (long)s["seq"]!, (long)s["storedRecords"]!);
    }

    /// <summary>Sum of the gateway's Prometheus series <paramref name="name"/> whose labels contain <paramref name="labels"/>.</summary>
    public async Task<double> MetricAsync(string name, string labels = "")
    {
        var text = await _http.GetStringAsync($"http://127.0.0.1:{_statusPort}/metrics");
        return text.Split('\n')
            .Where(l => (l.StartsWith(name + "{", StringComparison.Ordinal) || l.StartsWith(name + " ", StringComparison.Ordinal)) && l.Contains(labels, StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    /// <summary>The ingest's chain of <paramref name="lane"/> in <paramref name="epoch"/> (null: none yet, or not answering).</summary>
    public async Task<JsonNode?> ChainAsync(string lane, string epoch)
    {
        try
        {
            var chains = await _http.GetFromJsonAsync<JsonArray>($"http://127.0.0.1:{_ingestPort}/api/chains");
            return chains!.FirstOrDefault(c => (string)c!["lane"]! == lane && (string)c["epoch"]! == epoch);
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>The ingest's alerts (operator view), oldest first.</summary>
    public async Task<JsonArray> AlertsAsync() =>
        (await _http.GetFromJsonAsync<JsonArray>($"http://127.0.0.1:{_ingestPort}/api/alerts?limit=1000"))!;

    public async Task<long> VerifiedThroughAsync(string lane, string epoch) =>
        await ChainAsync(lane, epoch) is { } c ? (long)c["verifiedThrough"]! : -1;

    public async Task<JsonNode?> IdentityAsync()
    {
        try
        {
            return await _http.GetFromJsonAsync<JsonNode>($"http://127.0.0.1:{_ingestPort}/api/identity");
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>Publishes as anyone on the broker could (QoS 1, anonymous).</summary>
    public async Task PublishAsync(string topic, byte[] payload, MQTTnet.Protocol.MqttQualityOfServiceLevel qos = MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce)
    {
        using var client = new MQTTnet.MqttClientFactory().CreateMqttClient();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await client.ConnectAsync(new MQTTnet.MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", Broker.Port).WithClientId($"it-anyone-{Guid.NewGuid():N}").Build(), deadline.Token);
        await client.PublishAsync(new MQTTnet.MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
            .WithQualityOfServiceLevel(qos).Build(), deadline.Token);
        await client.DisconnectAsync(new MQTTnet.MqttClientDisconnectOptions(), deadline.Token);
    }

    /// <summary>The processes' output, for a failure message.</summary>
    public string Output() =>
        $"gateway:\n{Gateway?.Stderr}{Gateway?.Stdout}\ningest:\n{Ingest?.Stderr}{Ingest?.Stdout}";

    public void Dispose()
    {
        Gateway?.Dispose();
        Ingest?.Dispose();
        Broker.Dispose();
        _http.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
