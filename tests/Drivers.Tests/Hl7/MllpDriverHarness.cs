namespace EdgeTwin.Drivers.Tests.Hl7;

using System.Net;
using EdgeTwin.Drivers.Hl7;
using EdgeTwin.Drivers.Tests.Support;
using Microsoft.Extensions.Time.Testing;

/// <summary>A running <see cref="Hl7MllpDriver"/> on a free loopback port, with a fake clock, a recording sink and logger.</summary>
internal sealed class MllpDriverHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();

    private MllpDriverHarness(Hl7MllpSettings settings)
    {
        Driver = new Hl7MllpDriver(settings, Time, Logger);
        Run = Driver.RunAsync(Sink, _stop.Token);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 7, 1, 10, 0, 0, TimeSpan.Zero));

    public RecordingLogger Logger { get; } = new();

    public CollectingSink Sink { get; } = new();

    public Hl7MllpDriver Driver { get; }

    public Task Run { get; }

    public IPEndPoint Endpoint { get; private set; } = new(IPAddress.Loopback, 0);

    public static async Task<MllpDriverHarness> StartAsync(Func<Hl7MllpSettings, Hl7MllpSettings>? adjust = null)
    {
        var settings = new Hl7MllpSettings("monitor-1", IPAddress.Loopback, 0, Hl7Samples.Berlin);
        var harness = new MllpDriverHarness(adjust?.Invoke(settings) ?? settings);
        harness.Endpoint = await harness.Driver.Listening.WaitAsync(TimeSpan.FromSeconds(10));
        return harness;
    }

    public Task<MllpTestClient> ConnectAsync(IPAddress? from = null) => MllpTestClient.ConnectAsync(Endpoint, from);

    public Task<MllpTestClient> ConnectTlsAsync(System.Security.Cryptography.X509Certificates.X509Certificate2? certificate, IPAddress? from = null) =>
        MllpTestClient.ConnectTlsAsync(Endpoint, certificate, from);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Run.WaitAsync(TimeSpan.FromSeconds(10));
        await Driver.DisposeAsync();
        _stop.Dispose();
    }
}
