namespace EdgeTwin.Ingest.Tests.Integration;

using System.Collections.Concurrent;
using EdgeTwin.Ingest.Mqtt;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MQTTnet.Server;

/// <summary>
/// A broker that accepts the ingest's connection but refuses its shared subscription (here MQTTnet's
/// own server, which has no shared subscriptions, as the gateway's embedded broker) must not look like
/// a working ingest: no "Subscribed" line, the refusal said with the filter and the reason code, and
/// tried again.
/// </summary>
public sealed class SubscriptionRefusedTests
{
    [Fact]
    public async Task BrokerRefusesTheSharedSubscription_IngestSaysSoAndRetries_NeverReportsSubscribed()
    {
        var port = Support.FreePort.Next();
        using var server = new MqttServerFactory().CreateMqttServer(new MqttServerOptionsBuilder().WithDefaultEndpoint().WithDefaultEndpointPort(port)
            .WithDefaultEndpointBoundIPAddress(System.Net.IPAddress.Loopback).WithDefaultEndpointBoundIPV6Address(System.Net.IPAddress.None).Build());
        await server.StartAsync();
        var log = new RecordingLoggerProvider();
        var dir = Directory.CreateTempSubdirectory("edgetwin-ingest-").FullName;
        var app = IngestHost.Create(
            [$"--urls=http://127.0.0.1:{Support.FreePort.Next()}", $"--Ingest:Broker=mqtt://127.0.0.1:{port}", $"--Ingest:Storage=litedb:{dir}", "--Ingest:SharedGroup=g1"],
            services => services.AddLogging(b => b.AddProvider(log)));
        try
        {
            await app.StartAsync();

            // Two refusals: said, and tried again after a back-off.
            var refusals = new List<string>();
            using (var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            {
                while (refusals.Count < 2 && await log.Refusals.Reader.WaitToReadAsync(patience.Token).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default))
                {
                    refusals.Add(await log.Refusals.Reader.ReadAsync());
                }
            }

            Assert.True(refusals.Count == 2, $"two refusals expected, got {refusals.Count}; log:\n{string.Join("\n", log.Lines)}");
            var second = refusals[1];

            Assert.Contains("refused the subscription $share/g1/edgetwin/v1/+/+/telemetry (SharedSubscriptionsNotSupported)", second, StringComparison.Ordinal);
            Assert.False(app.Services.GetRequiredService<MqttIngestWorker>().Subscribed.IsCompleted);
            Assert.DoesNotContain(log.Lines, l => l.Contains("Subscribed", StringComparison.Ordinal));
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            await server.StopAsync();
            Directory.Delete(dir, recursive: true);
        }
    }

    private sealed class RecordingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public System.Threading.Channels.Channel<string> Refusals { get; } = System.Threading.Channels.Channel.CreateUnbounded<string>();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(RecordingLoggerProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var line = formatter(state, exception) + (exception is null ? string.Empty : " " + exception.Message);
                owner.Lines.Enqueue(line);
                if (exception is SubscriptionRefusedException)
                {
                    owner.Refusals.Writer.TryWrite(line);
                }
            }
        }
    }
}
