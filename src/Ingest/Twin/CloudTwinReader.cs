namespace EdgeTwin.Ingest.Twin;

using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeTwin.Ingest.AlarmsOut;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Telemetry.Records;

/// <summary>
/// The cloud twin, per gateway and per patient, computed from verified records only (so nothing
/// unproven shows): latest vitals, latest alarms, the gateway's reported state (device health,
/// scores it reports), its status and its chains, and the alarms forwarded to the alarm managers
/// with their delivery and PCD-05 statuses.
/// </summary>
internal sealed class CloudTwinReader
{
    private const int Window = 2000;
    private const int ForwardedAlarms = 20;
    private readonly IIngestStore _store;
    private readonly AlarmsOutReader _forwarded;

    public CloudTwinReader(IIngestStore store, AlarmsOutReader forwarded)
    {
        _store = store;
        _forwarded = forwarded;
    }

    public async Task<JsonObject?> GatewayAsync(string gw, CancellationToken ct)
    {
        var gateway = await _store.GatewayAsync(gw, ct).ConfigureAwait(false);
        var chains = await _store.ChainsAsync(gw, ct).ConfigureAwait(false);
        if (gateway is null && chains.Count == 0)
        {
            return null;
        }

        var records = await _store.VerifiedRecordsAsync(new RecordQuery(null, gw, null, null, Window), ct).ConfigureAwait(false);
        var patients = new JsonObject();
        foreach (var p in records.Where(r => r.Patient is not null).GroupBy(r => r.Patient!, StringComparer.Ordinal))
        {
            patients[p.Key] = PatientState(p.ToList());
        }

        return new JsonObject
        {
            ["gw"] = gw,
            ["site"] = gateway?.Site ?? chains[0].Site,
            ["status"] = Parse(gateway?.Status),
            ["reported"] = Parse(gateway?.Reported),
            ["chains"] = new JsonArray(chains.Select(ChainJson.From).ToArray<JsonNode?>()),
            ["patients"] = patients,

            // What the alarm managers were told and answered (docs/alarms-out.md): the latest alarms, newest first.
            ["alarmsOut"] = await _forwarded.AlarmsAsync(gw, ForwardedAlarms, ct).ConfigureAwait(false),
        };
    }

    public async Task<JsonObject?> PatientAsync(string patient, CancellationToken ct)
    {
        var records = await _store.VerifiedRecordsAsync(new RecordQuery(patient, null, null, null, Window), ct).ConfigureAwait(false);
        if (records.Count == 0)
        {
            return null;
        }

        var state = PatientState(records);
        state["patient"] = patient;
        state["gateways"] = new JsonArray(records.Select(r => r.Chain.Gw).Distinct().Select(g => (JsonNode?)g).ToArray());
        return state;
    }

    private static JsonObject PatientState(IReadOnlyList<RecordRow> records)
    {
        var vitals = new JsonObject();
        foreach (var obs in records.SelectMany(r => ObsReading.ReadAll(r.Kind, r.Payload)))
        {
            for (var i = obs.Values.Count - 1; i >= 0; i--)
            {
                if (obs.Values[i] is { } v)
                {
                    var at = obs.TimeOf(i);
                    if (vitals[obs.Code] is not JsonObject prior || prior["at"]!.GetValue<DateTimeOffset>() <= at)
                    {
                        vitals[obs.Code] = new JsonObject { ["value"] = v, ["unit"] = obs.Unit, ["at"] = at, ["device"] = obs.Device };
                    }

                    break;
                }
            }
        }

        var alarms = records.Where(r => r.Kind == RecordKinds.Alarm).OrderByDescending(r => r.Ts).Take(20)
            .Select(r => JsonNode.Parse(r.Payload)?["body"]?.DeepClone()).ToArray();
        return new JsonObject { ["vitals"] = vitals, ["alarms"] = new JsonArray(alarms) };
    }

    private static JsonNode? Parse(string? json)
    {
        try
        {
            return json is null ? null : JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return json;
        }
    }
}
