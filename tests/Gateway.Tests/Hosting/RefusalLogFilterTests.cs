namespace EdgeTwin.Gateway.Tests.Hosting;

using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

public sealed class RefusalLogFilterTests
{
    [Fact]
    public void HostingFailedToStart_IsDroppedForARefusalOrAStopWhileStarting_AndKeptForACrash()
    {
        var seen = new List<(string Category, int Event, Exception? Exception)>();
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerProvider>(new ListProvider(seen));
        RefusalLogFilter.Apply(services, EdgeTwin.Gateway.Hosting.GatewayHost.IsRefusal);
        using var sp = services.BuildServiceProvider();
        var provider = Assert.Single(sp.GetServices<ILoggerProvider>());
        var host = provider.CreateLogger("Microsoft.Extensions.Hosting.Internal.Host");
        var other = provider.CreateLogger("EdgeTwin.Gateway");

        host.Log(LogLevel.Error, new EventId(11), "Hosting failed to start", new StartupException("Gateway:Name", "bad"), (s, _) => s);
        host.Log(LogLevel.Error, new EventId(11), "Hosting failed to start", new OptionsValidationException("x", typeof(object), ["bad"]), (s, _) => s);
        host.Log(LogLevel.Error, new EventId(11), "Hosting failed to start", new TaskCanceledException("stopped while starting"), (s, _) => s);
        host.Log(LogLevel.Error, new EventId(11), "Hosting failed to start", new InvalidOperationException("crash"), (s, _) => s);
        host.Log(LogLevel.Error, new EventId(9), "BackgroundService failed", new StartupException("Gateway:Name", "bad"), (s, _) => s);
        other.Log(LogLevel.Error, new EventId(11), "not the host", new StartupException("Gateway:Name", "bad"), (s, _) => s);

        Assert.Equal([11, 9, 11], seen.Select(e => e.Event));
        Assert.IsType<InvalidOperationException>(seen[0].Exception);
        Assert.Equal("EdgeTwin.Gateway", seen[2].Category);
    }

    private sealed class ListProvider(List<(string, int, Exception?)> seen) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new ListLogger(categoryName, seen);

        public void Dispose()
        {
        }
    }

    private sealed class ListLogger(string category, List<(string, int, Exception?)> seen) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            seen.Add((category, eventId.Id, exception));
    }
}
