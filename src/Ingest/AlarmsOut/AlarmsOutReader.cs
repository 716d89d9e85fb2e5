namespace EdgeTwin.Ingest.AlarmsOut;

using System.Text.Json.Nodes;
using EdgeTwin.Ingest.Storage;

/// <summary>
/// What the cloud twin shows of the alarms it forwarded (<c>/api/alarms</c>): each alarm's identity,
/// phase and state, per manager whether and when each PCD-04 was acknowledged, and the PCD-05
/// statuses recorded against it (delivered, read, accepted, rejected; who, when).
/// </summary>
internal sealed class AlarmsOutReader(IIngestStore store)
{
    private readonly IAlarmOutStore _store = (IAlarmOutStore)store;

    public async Task<JsonArray> AlarmsAsync(string? gw, int limit, CancellationToken ct)
    {
        var list = new JsonArray();
        foreach (var alert in await _store.AcmAlertsAsync(gw, limit, ct).ConfigureAwait(false))
        {
            list.Add(await DescribeAsync(alert, ct).ConfigureAwait(false));
        }

        return list;
    }

    public async Task<JsonObject?> AlarmAsync(string alertId, CancellationToken ct) =>
        await _store.AcmAlertAsync(alertId, ct).ConfigureAwait(false) is { } alert ? await DescribeAsync(alert, ct).ConfigureAwait(false) : null;

    private async Task<JsonObject> DescribeAsync(AcmAlertRow a, CancellationToken ct)
    {
        var messages = await _store.AcmMessagesAsync(a.AlertId, ct).ConfigureAwait(false);
        var statuses = await _store.AcmStatusesAsync(a.AlertId, ct).ConfigureAwait(false);
        return new JsonObject
        {
            ["alertId"] = a.AlertId,
            ["gw"] = a.Gw,
            ["patient"] = a.Patient,
            ["device"] = a.Device,
            ["bed"] = a.Bed,
            ["condition"] = a.Condition,
            ["priority"] = a.Priority,
            ["phase"] = a.Phase,
            ["state"] = a.State,
            ["open"] = a.Open,
            ["raisedAt"] = a.RaisedAt,
            ["updatedAt"] = a.UpdatedAt,
            ["messages"] = new JsonArray(messages.Select(m => (JsonNode)new JsonObject
            {
                ["manager"] = m.Manager,
                ["controlId"] = m.ControlId,
                ["status"] = m.Status,
                ["attempts"] = m.Attempts,
                ["queuedAt"] = m.QueuedAt,
                ["doneAt"] = m.DoneAt,
                ["detail"] = m.Detail,
            }).ToArray()),
            ["statuses"] = new JsonArray(statuses.Select(s => (JsonNode)new JsonObject
            {
                ["status"] = s.Status,
                ["who"] = s.Who,
                ["at"] = s.At,
                ["receivedAt"] = s.ReceivedAt,
                ["peer"] = s.Peer,
                ["controlId"] = s.ControlId,
            }).ToArray()),
        };
    }
}
