namespace EdgeTwin.Ingest.Tests.AlarmsOut;

using System.Diagnostics.Metrics;
using EdgeTwin.Ingest.AlarmsOut;
using EdgeTwin.Ingest.Alerts;
using EdgeTwin.Ingest.Metrics;
using EdgeTwin.Ingest.Options;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Ingest.Storage.LiteDb;
using EdgeTwin.Ingest.Tests.Storage;
using EdgeTwin.Ingest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;

/// <summary>A LiteDB store in a temp directory, the alarm reporter's parts around it, and the ingest meter's instruments to assert on.</summary>
internal sealed class AlarmsOutHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly string _dir = Directory.CreateTempSubdirectory("edgetwin-acm-").FullName;

    private AlarmsOutHarness(IngestOptions options, IIngestStore? store)
    {
        Options = options;
        Store = store ?? new LiteDbIngestStore(_dir);
        var factory = _services.GetRequiredService<IMeterFactory>();
        Metrics = new AlarmsOutMetrics(factory);
        Alerts = new AlertPublisher(NullLogger<AlertPublisher>.Instance, new IngestMetrics(factory));
        Queue = new AlarmQueue(new FixedOptionsMonitor<IngestOptions>(options));
        Statuses = new MetricCollector<long>(factory, IngestMetrics.MeterName, "edgetwin.ingest.alarms_out.statuses");
        PeersRefused = new MetricCollector<long>(factory, IngestMetrics.MeterName, "edgetwin.ingest.alarms_out.peers_refused");
        Messages = new MetricCollector<long>(factory, IngestMetrics.MeterName, "edgetwin.ingest.alarms_out.messages");
    }

    public IngestOptions Options { get; }

    public IIngestStore Store { get; }

    public IAlarmOutStore Acm => (IAlarmOutStore)Store;

    public AlarmsOutMetrics Metrics { get; }

    public AlertPublisher Alerts { get; }

    public AlarmQueue Queue { get; }

    public MetricCollector<long> Statuses { get; }

    public MetricCollector<long> PeersRefused { get; }

    public MetricCollector<long> Messages { get; }

    /// <param name="store">Another backend (PostgreSQL); default a fresh LiteDB store.</param>
    public static async Task<AlarmsOutHarness> StartAsync(IngestOptions options, IIngestStore? store = null)
    {
        var h = new AlarmsOutHarness(options, store);
        await h.Store.InitializeAsync(default);
        return h;
    }

    /// <summary>Queues alarm records of gw-1's alarm chain as a verified batch would.</summary>
    public Task QueueAsync(params RecordRow[] records)
    {
        var chain = records[0].Chain;
        return Store.WriteAsync([chain], "site-a", s => Queue.QueueAsync(s, chain, "site-a", records, DateTimeOffset.UtcNow), default);
    }

    public AlarmManagerSender Sender(int manager = 0) => Sender(Store, manager);

    /// <summary>A sender of this harness's manager on <paramref name="store"/> (another worker's connection to the same database).</summary>
    public AlarmManagerSender Sender(IIngestStore store, int manager = 0) =>
        new(Options.AlarmManagers[manager], Options.AlarmsOut, store, Queue, Alerts, Metrics, TimeProvider.System, NullLogger.Instance);

    public static RecordRow Alarm(long seq, string state, string priority) => StoreContractTests.AlarmRecord(seq, state, priority);

    public async ValueTask DisposeAsync()
    {
        Statuses.Dispose();
        PeersRefused.Dispose();
        Messages.Dispose();
        await Store.DisposeAsync();
        await _services.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
