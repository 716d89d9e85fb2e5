namespace EdgeTwin.Integration.Tests.Support;

using EdgeTwin.Gateway.Hosting;
using EdgeTwin.Gateway.Pairing;
using EdgeTwin.Gateway.Pipeline;
using EdgeTwin.Gateway.Status;
using EdgeTwin.Gateway.Twin;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

/// <summary>The real gateway composition (<see cref="GatewayHost"/>: status and twin endpoints) in this process, plus a sample counter.</summary>
internal sealed class InProcessGateway : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InProcessGateway(WebApplication app, SampleCounter counter, ErrorLog errors)
    {
        _app = app;
        Counter = counter;
        Errors = errors;
    }

    public ErrorLog Errors { get; }

    public SampleCounter Counter { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>The status API's bound addresses (<c>Status:Url</c> with port 0 takes a free one).</summary>
    public ICollection<string> Urls => _app.Urls;

    public static string[] Args(string dataDirectory, int brokerPort, params string[] extra) =>
    [
        "--Gateway:Name=gw-it",
        "--Gateway:Site=site-it",
        $"--Gateway:DataDirectory={dataDirectory}",
        "--Gateway:Clock=synced",
        $"--Uplink:Broker=mqtt://127.0.0.1:{brokerPort}",
        "--Uplink:ReconnectMinDelay=00:00:00.200",
        "--Uplink:ReconnectMaxDelay=00:00:01",
        "--Status:Url=http://127.0.0.1:0",
        "--Simulation:Beds=2",
        "--Logging:LogLevel:Default=Warning",
        .. extra,
    ];

    public static async Task<InProcessGateway> StartAsync(string[] args, Action<IServiceCollection>? services = null)
    {
        var builder = GatewayHost.CreateBuilder(args);
        if (!args.Any(a => a.Contains("ReleaseStartupPagesAfter", StringComparison.Ordinal)))
        {
            // The pages given back would be the test runner's: only a gateway process does that.
            builder.Configuration.AddInMemoryCollection([new("Gateway:ReleaseStartupPagesAfter", "00:00:00")]);
        }

        var counter = new SampleCounter();
        builder.Services.AddSingleton<ISampleObserver>(counter);
        services?.Invoke(builder.Services);
        var errors = new ErrorLog();
        builder.Logging.AddProvider(errors);
        var app = builder.Build();
        app.MapGatewayStatus();
        app.MapTwin();
        app.MapPairing();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await app.StartAsync(timeout.Token);
        return new InProcessGateway(app, counter, errors);
    }

    /// <summary>Graceful stop, as on SIGTERM; fails the test if anything was logged at Error or above.</summary>
    public async Task StopAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        await _app.StopAsync(timeout.Token);
        Assert.True(Errors.Entries.IsEmpty, string.Join("\n", Errors.Entries));
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
