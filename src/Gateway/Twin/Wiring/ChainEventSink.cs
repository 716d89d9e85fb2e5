namespace EdgeTwin.Gateway.Twin.Wiring;

using System.Text.Json.Nodes;
using EdgeTwin.Gateway.Chains;

/// <summary>Twin events go into the telemetry chain like any other <c>event</c> record (durable at the next group commit).</summary>
internal sealed class ChainEventSink(IRecordAppender appender) : ITwinEventSink
{
    public ValueTask AppendEventAsync(string type, JsonObject fields, CancellationToken cancellationToken)
    {
        appender.AppendEvent(type, fields);
        return ValueTask.CompletedTask;
    }
}
