namespace EdgeTwin.Gateway.Outbox;

using System.Text.Json.Nodes;
using EdgeTwin.Gateway.Chains;
using EdgeTwin.Gateway.Twin;

/// <summary>
/// Twin events go into the telemetry chain like any other <c>event</c> record, and the sink returns
/// only once the record is durable: the twin deletes its own copy when this returns, so a power cut
/// inside the group-commit interval must not find the event in neither store. Twin events are rare
/// (a desired document, a binding), so each costs one extra commit; at start-up, before the commit
/// loop runs, this is also what makes the twin's pending events durable.
/// </summary>
internal sealed class ChainEventSink(IRecordAppender appender, GroupCommitter committer) : ITwinEventSink
{
    public async ValueTask AppendEventAsync(string type, JsonObject fields, CancellationToken cancellationToken)
    {
        appender.AppendEvent(type, fields);
        await committer.CommitNowAsync(cancellationToken).ConfigureAwait(false);
    }
}
