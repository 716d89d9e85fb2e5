namespace EdgeTwin.Drivers.Tests.Hl7;

using Microsoft.Extensions.Logging;

/// <summary>Keeps every log line (event id, level, text) so tests can assert what was reported.</summary>
internal sealed class RecordingLogger : ILogger
{
    private readonly List<(int EventId, LogLevel Level, string Text)> _lines = [];
    private readonly Lock _gate = new();

    public IReadOnlyList<(int EventId, LogLevel Level, string Text)> Lines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }

    public bool Has(int eventId) => Lines.Any(l => l.EventId == eventId);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_gate)
        {
            _lines.Add((eventId.Id, logLevel, formatter(state, exception)));
        }
    }
}
