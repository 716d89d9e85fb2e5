namespace EdgeTwin.Gateway.Tests.Alarms;

using EdgeTwin.Drivers.Model;
using EdgeTwin.Gateway.Alarms;
using EdgeTwin.Gateway.Chains;
using EdgeTwin.Gateway.Hosting;
using EdgeTwin.Gateway.Pipeline;
using EdgeTwin.Gateway.Tests.Twin;
using EdgeTwin.Gateway.Twin;
using EdgeTwin.Gateway.Twin.Reported;
using EdgeTwin.Gateway.Uplink;
using EdgeTwin.Inference;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

/// <summary>
/// The gateway's own registrations (gateway, twin, alarms) on a temporary data directory and a
/// fake clock; only the chain appender, the twin's event sink and reported publisher, and the
/// uplink are recording fakes. Tests turn the alarm service by hand (<see cref="Second"/>), so
/// fake time cannot race it.
/// </summary>
internal sealed class WiredGateway : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("edgetwin-wired-").FullName;

    public WiredGateway(Dictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:DataDirectory"] = _directory,
            ["Inference:Model:Enabled"] = "false",
        });
        builder.Configuration.AddInMemoryCollection(settings ?? []);
        var services = builder.Services;
        services.AddSingleton<TimeProvider>(Time);
        services.AddEdgeTwinGateway(builder.Configuration);
        services.AddSingleton<IRecordAppender>(Appender);
        services.AddSingleton<IUplink>(Uplink);
        services.AddSingleton<ITwinEventSink>(Events);
        services.AddSingleton<IReportedPublisher>(Publisher);
        Provider = services.BuildServiceProvider();
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 27, 16, 0, 0, TimeSpan.Zero));

    public RecordingAlarmAppender Appender { get; } = new();

    public DownUplink Uplink { get; } = new() { IsConnected = true };

    public RecordingEventSink Events { get; } = new();

    public RecordingPublisher Publisher { get; } = new();

    public ServiceProvider Provider { get; }

    public TwinController Controller => Provider.GetRequiredService<TwinController>();

    public InferenceEngine Engine => Provider.GetRequiredService<InferenceEngine>();

    public AlarmService Alarms => Provider.GetRequiredService<AlarmService>();

    public ReportedTwinService Reporter => Provider.GetRequiredService<ReportedTwinService>();

    /// <summary>One second of the gateway: the samples through the observers, an alarm round, the clock on.</summary>
    public void Second(string device, params (StreamCode Stream, double Value)[] samples)
    {
        var observers = Provider.GetServices<ISampleObserver>().ToList();
        foreach (var (stream, value) in samples)
        {
            var sample = new Sample(device, stream, Time.GetUtcNow(), value);
            foreach (var observer in observers)
            {
                observer.OnSample(sample);
            }
        }

        Alarms.Round();
        Time.Advance(TimeSpan.FromSeconds(1));
    }

    public async ValueTask DisposeAsync()
    {
        await Provider.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
