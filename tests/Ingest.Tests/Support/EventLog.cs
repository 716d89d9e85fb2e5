namespace EdgeTwin.Ingest.Tests.Support;

using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

/// <summary>The ingest's log lines by event id (a logger provider added to the host under test).</summary>
internal sealed class EventLog : ILoggerProvider
{
    private readonly ConcurrentQueue<(int Id, string Line)> _lines = new();

    public IReadOnlyList<string> Said(int eventId) => [.. _lines.Where(l => l.Id == eventId).Select(l => l.Line)];

    public ILogger CreateLogger(string categoryName) => new Logger(_lines);

    public void Dispose()
    {
    }

    private sealed class Logger(ConcurrentQueue<(int, string)> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue((eventId.Id, formatter(state, exception)));
    }
}
