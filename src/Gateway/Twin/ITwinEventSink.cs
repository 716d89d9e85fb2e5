namespace EdgeTwin.Gateway.Twin;

using System.Text.Json.Nodes;

/// <summary>
/// Where the twin appends <c>event</c> records (PROTOCOL §4) to the telemetry chain: implemented
/// by the gateway's outbox. Returns once the record is committed; throws if it could not be, and
/// the twin keeps the event and tries again.
/// </summary>
internal interface ITwinEventSink
{
    ValueTask AppendEventAsync(string type, JsonObject fields, CancellationToken cancellationToken);
}
