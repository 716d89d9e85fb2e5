namespace EdgeTwin.Ingest.Tests.Integration;

using System.Net.Http.Json;
using System.Text.Json.Nodes;
using EdgeTwin.Ingest.Mqtt;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Ingest.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

/// <summary>The ingest host, started in this process on a free port, with its HTTP API.</summary>
internal sealed class InProcessIngest : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _dir;

    private InProcessIngest(WebApplication app, string dir, string baseUrl)
    {
        _app = app;
        _dir = dir;
        Http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(20) };
    }

    /// <summary>
    /// The worker's receive-path probe off: for tests that count the messages a worker holds or the
    /// PUBACKs it sends one by one, which a probe coming and going at any moment would add to.
    /// </summary>
    public const string NoProbe = "--Ingest:ReceiveProbeInterval=0";

    public HttpClient Http { get; }

    public IIngestStore Store => _app.Services.GetRequiredService<IIngestStore>();

    public IServiceProvider Services => _app.Services;

    /// <param name="configure">more services (a logger provider that records the worker's lines)</param>
    public static async Task<InProcessIngest> StartAsync(string brokerUri, IEnumerable<string> extraArgs, Action<IServiceCollection>? configure = null)
    {
        var dir = Directory.CreateTempSubdirectory("edgetwin-ingest-").FullName;
        var port = Support.FreePort.Next();
        string[] args = [$"--urls=http://127.0.0.1:{port}", $"--Ingest:Broker={brokerUri}", $"--Ingest:Storage=litedb:{dir}",
            $"--Ingest:SharedGroup=g{Guid.NewGuid():N}"[..30], "--Logging:LogLevel:Default=Warning", .. extraArgs];
        var app = IngestHost.Create(args, configure);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await app.StartAsync(cts.Token);
        await app.Services.GetRequiredService<MqttIngestWorker>().Subscribed.WaitAsync(cts.Token);
        var ingest = new InProcessIngest(app, dir, $"http://127.0.0.1:{port}");
        ingest.Http.WithToken(IngestTokens.Mint(app.Services));
        return ingest;
    }

    public async Task<JsonArray> GetArrayAsync(string path) => (await Http.GetFromJsonAsync<JsonArray>(path))!;

    /// <summary>Polls the API until the condition holds (events arrive over a broker; no fixed sleeps).</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> because)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!await condition())
        {
            if (cts.IsCancellationRequested)
            {
                Assert.Fail($"not within {timeout}: {because()}");
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
