namespace EdgeTwin.Gateway.Tests.Twin;

using System.Text.Json.Nodes;
using EdgeTwin.Gateway.Twin;

/// <summary>Collects the events the twin appends; can be told to fail like an outbox that is down.</summary>
internal sealed class RecordingEventSink : ITwinEventSink
{
    public List<(string Type, JsonObject Fields)> Events { get; } = [];

    public bool Failing { get; set; }

    public ValueTask AppendEventAsync(string type, JsonObject fields, CancellationToken cancellationToken)
    {
        if (Failing)
        {
            throw new IOException("outbox unavailable");
        }

        lock (Events)
        {
            Events.Add((type, fields));
        }

        return ValueTask.CompletedTask;
    }

    public IReadOnlyList<string> Types()
    {
        lock (Events)
        {
            return [.. Events.Select(e => e.Type)];
        }
    }
}
