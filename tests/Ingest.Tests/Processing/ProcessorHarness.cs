namespace EdgeTwin.Ingest.Tests.Processing;

using EdgeTwin.Ingest.Enrolment;
using EdgeTwin.Ingest.Options;
using EdgeTwin.Ingest.Processing;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Ingest.Storage.LiteDb;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Ingest.Topics;
using EdgeTwin.Telemetry.Chain;
using Microsoft.Extensions.Time.Testing;

/// <summary>A batch processor over a LiteDB store in a temp directory, with a fake clock.</summary>
internal sealed class ProcessorHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 27, 16, 0, 0, TimeSpan.Zero);
    private readonly string _dir;
    private readonly Func<string, IIngestStore> _open;

    private ProcessorHarness(string dir, IngestOptions options, IIngestStore store, Func<string, IIngestStore> open)
    {
        _dir = dir;
        _open = open;
        Options = options;
        Store = store;
        Processor = new BatchProcessor(store, new FixedOptionsMonitor<IngestOptions>(options), Time);
    }

    public FakeTimeProvider Time { get; } = new(T0);

    public IngestOptions Options { get; }

    public IIngestStore Store { get; private set; }

    public BatchProcessor Processor { get; private set; }

    /// <summary>Who signs for which gateway, as the processor sees it (replaced by <see cref="UseEnrolmentFile"/>).</summary>
    public GatewayEnrolment? Enrolment { get; private set; }

    /// <summary>From now on the enrolment also comes from <paramref name="path"/> (Ingest:EnrolmentFile), reloaded by <see cref="GatewayEnrolment.ReloadFile"/>.</summary>
    public GatewayEnrolment UseEnrolmentFile(string path)
    {
        Options.EnrolmentFile = path;
        Enrolment = new GatewayEnrolment(new FixedOptionsMonitor<IngestOptions>(Options));
        Processor = new BatchProcessor(Store, new FixedOptionsMonitor<IngestOptions>(Options), Time, enrolment: Enrolment);
        return Enrolment;
    }

    /// <summary>A file in this harness's directory.</summary>
    public string PathOf(string name) => Path.Combine(_dir, name);

    public static Task<ProcessorHarness> CreateAsync(params SimulatedGateway[] enrolled) => CreateAsync(dir => new LiteDbIngestStore(dir), enrolled);

    /// <summary>A harness over the store <paramref name="open"/> makes (given a temp directory; called again on restart).</summary>
    public static async Task<ProcessorHarness> CreateAsync(Func<string, IIngestStore> open, params SimulatedGateway[] enrolled)
    {
        var dir = Directory.CreateTempSubdirectory("edgetwin-proc-").FullName;
        var options = new IngestOptions();
        foreach (var g in enrolled)
        {
            options.Enrolled[g.Gw] = g.Key.Address;
        }

        var store = open(dir);
        await store.InitializeAsync(default);
        return new ProcessorHarness(dir, options, store, open);
    }

    public static IncomingMessage Message(SimulatedGateway g, ChainRecord r, byte[]? payload = null)
    {
        var topic = SimulatedGateway.Topic("edgetwin/v1", g.Site, g.Gw, r.Lane);
        TopicName.TryParse("edgetwin/v1", topic, out var name);
        return new IncomingMessage(topic, name!, payload ?? r.Payload, T0);
    }

    public Task<BatchResult> SendAsync(SimulatedGateway g, IEnumerable<ChainRecord> records) =>
        Processor.ProcessAsync(records.Select(r => Message(g, r)).ToList(), default);

    public Task<BatchResult> SendRawAsync(string topic, byte[] payload)
    {
        Assert.True(TopicName.TryParse("edgetwin/v1", topic, out var name));
        return Processor.ProcessAsync([new IncomingMessage(topic, name!, payload, T0)], default);
    }

    /// <summary>Closes and reopens the store, with a new processor: a restart.</summary>
    public async Task RestartAsync()
    {
        await Store.DisposeAsync();
        Store = _open(_dir);
        await Store.InitializeAsync(default);
        Processor = new BatchProcessor(Store, new FixedOptionsMonitor<IngestOptions>(Options), Time, enrolment: Enrolment);
    }

    public async Task<ChainRow> ChainAsync(SimulatedGateway g, EdgeTwin.Telemetry.Records.Lane lane)
    {
        var epoch = (lane == EdgeTwin.Telemetry.Records.Lane.Alarm ? g.Alarm : g.Telemetry).State.Epoch;
        return (await Store.ChainsAsync(g.Gw, default)).Single(c => c.Id.Epoch == epoch);
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
