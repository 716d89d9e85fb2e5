namespace EdgeTwin.Ingest.Ward;

using System.Text.Json.Nodes;
using EdgeTwin.Ingest.Anchoring;
using EdgeTwin.Ingest.Options;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Ingest.Twin;
using Microsoft.Extensions.Options;

/// <summary>
/// What the ward page shows (<c>GET /api/ward</c>): per gateway whether it is online and when it was
/// last heard, its chains' state, and one bed per patient it reports in a bed: vitals from verified
/// records, NEWS2 and the alarms sounding from the gateway's signed reported twin.
/// </summary>
internal sealed class WardView
{
    private readonly IIngestStore _store;
    private readonly CloudTwinReader _twins;
    private readonly IOptionsMonitor<IngestOptions> _options;

    public WardView(IIngestStore store, CloudTwinReader twins, IOptionsMonitor<IngestOptions> options)
    {
        _store = store;
        _twins = twins;
        _options = options;
    }

    /// <summary>
    /// The ward: every gateway, or only those named in <paramref name="only"/> (a page refreshing what
    /// the live feed said changed; names with no data are left out).
    /// </summary>
    public async Task<JsonObject> BuildAsync(DateTimeOffset now, CancellationToken ct, IReadOnlyCollection<string>? only = null)
    {
        Dictionary<string, GatewayRow> rows;
        IEnumerable<string> names;
        if (only is null)
        {
            rows = (await _store.GatewaysAsync(ct).ConfigureAwait(false)).ToDictionary(g => g.Gw, StringComparer.Ordinal);
            names = rows.Keys.Concat((await _store.ChainsAsync(null, ct).ConfigureAwait(false)).Select(c => c.Id.Gw)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        }
        else
        {
            rows = new Dictionary<string, GatewayRow>(StringComparer.Ordinal);
            foreach (var gw in only)
            {
                if (await _store.GatewayAsync(gw, ct).ConfigureAwait(false) is { } row)
                {
                    rows[gw] = row;
                }
            }

            names = only.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        }

        var anchoring = _options.CurrentValue.Anchor.Enabled;
        var last = anchoring ? (await ((IAnchorStore)_store).AnchorsAsync(5, ct).ConfigureAwait(false)).FirstOrDefault(a => a.Anchored) : null;
        var gateways = new JsonArray();
        foreach (var gw in names)
        {
            if (await _twins.GatewayAsync(gw, ct).ConfigureAwait(false) is { } twin)
            {
                var gateway = Gateway(gw, twin, rows.GetValueOrDefault(gw));
                if (anchoring)
                {
                    gateway["anchor"] = await GatewayAnchorAsync(gw, gateway["chains"]!.AsArray(), last, ct).ConfigureAwait(false);
                }

                gateways.Add(gateway);
            }
        }

        var ward = new JsonObject { ["generatedAt"] = now, ["gateways"] = gateways };
        if (anchoring)
        {
            ward["anchoring"] = last is null ? new JsonObject { ["last"] = null }
                : new JsonObject { ["last"] = new JsonObject { ["index"] = last.Index, ["at"] = last.AnchoredAt, ["tx"] = last.Tx, ["leaves"] = last.TreeSize } };
        }

        return ward;
    }

    /// <summary>
    /// The newest anchored anchor that holds one of the gateway's checkpoints, or null: what a tile's
    /// "last anchor" says of its own records. The ingest's latest anchor may hold none of them (the
    /// gateway offline since, or its checkpoints not verified before the round).
    /// </summary>
    private async Task<JsonObject?> GatewayAnchorAsync(string gw, JsonArray chains, AnchorRow? last, CancellationToken ct)
    {
        if (last is null)
        {
            return null;
        }

        var anchors = (IAnchorStore)_store;
        long? newest = null;
        foreach (var chain in chains)
        {
            if (chain?["lane"]?.GetValue<string>() is { } lane && chain["epoch"]?.GetValue<string>() is { } epoch
                && await anchors.LatestLeafBelowAsync(new ChainId(gw, lane, epoch), last.FirstLeaf + last.TreeSize, ct).ConfigureAwait(false) is { Position: { } position })
            {
                newest = Math.Max(newest ?? position, position);
            }
        }

        var anchor = newest switch
        {
            null => null,
            { } p when p >= last.FirstLeaf => last,
            { } p => await anchors.AnchorCoveringAsync(p, ct).ConfigureAwait(false),
        };
        return anchor is null ? null : new JsonObject { ["index"] = anchor.Index, ["at"] = anchor.AnchoredAt, ["tx"] = anchor.Tx };
    }

    private static JsonObject Gateway(string gw, JsonObject twin, GatewayRow? row)
    {
        var state = twin["reported"]?["state"];
        var verified = twin["patients"] as JsonObject ?? [];
        var reportedPatients = state?["patients"] as JsonObject ?? [];
        var forwarded = (twin["alarmsOut"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var beds = new JsonArray();
        foreach (var (patient, reported) in reportedPatients.Where(p => p.Value?["bed"] is not null).OrderBy(p => (string?)p.Value!["bed"], StringComparer.Ordinal))
        {
            beds.Add(Bed(patient, reported, verified[patient], forwarded));
        }

        // Patients with verified data the latest reported twin no longer has in a bed.
        foreach (var (patient, data) in verified.Where(p => reportedPatients[p.Key]?["bed"] is null && p.Key != "unattributed"))
        {
            beds.Add(Bed(patient, null, data, forwarded));
        }

        return new JsonObject
        {
            ["gw"] = gw,
            ["site"] = twin["site"]?.DeepClone(),
            ["online"] = twin["status"]?["online"]?.DeepClone(),
            ["lastSeen"] = row?.UpdatedAt,
            ["uplinkBacklog"] = state?["uplink"]?["backlog"]?.DeepClone(),
            ["chains"] = new JsonArray([.. (twin["chains"] as JsonArray ?? []).Select(Chain)]),
            ["beds"] = beds,
            ["alarmsOut"] = new JsonArray([.. forwarded.Take(5).Select(a => (JsonNode)Forwarded(a))]),
        };
    }

    /// <summary>An alarm forwarded to the alarm managers (docs/alarms-out.md): delivery and the clinicians' latest status.</summary>
    private static JsonObject Forwarded(JsonObject a)
    {
        var messages = (a["messages"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var last = (a["statuses"] as JsonArray ?? []).OfType<JsonObject>().LastOrDefault();
        return new JsonObject
        {
            ["condition"] = a["condition"]?.DeepClone(),
            ["bed"] = a["bed"]?.DeepClone(),
            ["priority"] = a["priority"]?.DeepClone(),
            ["phase"] = a["phase"]?.DeepClone(),
            ["open"] = a["open"]?.DeepClone(),
            ["delivery"] = string.Join(", ", messages.Select(m => (string?)m["status"]).Where(s => s is not null).Distinct()),
            ["lastStatus"] = last is null ? null : new JsonObject { ["status"] = last["status"]?.DeepClone(), ["who"] = last["who"]?.DeepClone(), ["at"] = last["at"]?.DeepClone() },
        };
    }

    private static JsonObject Bed(string patient, JsonNode? reported, JsonNode? verified, List<JsonObject> forwarded)
    {
        var vitals = new JsonArray();
        foreach (var (code, v) in verified?["vitals"] as JsonObject ?? [])
        {
            vitals.Add(new JsonObject { ["code"] = code, ["value"] = v?["value"]?.DeepClone(), ["unit"] = v?["unit"]?.DeepClone(), ["at"] = v?["at"]?.DeepClone() });
        }

        var alarms = new JsonArray();
        foreach (var (condition, a) in reported?["alarms"] as JsonObject ?? [])
        {
            if ((string?)a?["state"] is not ("cleared" or null))
            {
                var sent = forwarded.FirstOrDefault(f => (bool?)f["open"] == true && (string?)f["patient"] == patient && (string?)f["condition"] == condition);
                alarms.Add(new JsonObject
                {
                    ["condition"] = condition,
                    ["priority"] = a!["priority"]?.DeepClone(),
                    ["state"] = a["state"]?.DeepClone(),
                    ["t"] = a["t"]?.DeepClone(),
                    ["forwarded"] = sent is null ? null : Forwarded(sent),
                });
            }
        }

        var news2 = reported?["scores"]?["news2"];
        return new JsonObject
        {
            ["bed"] = reported?["bed"]?.DeepClone(),
            ["patient"] = patient,
            ["vitals"] = vitals,
            ["news2"] = news2 is null ? null : new JsonObject
            {
                ["v"] = news2["v"]?.DeepClone(),
                ["band"] = news2["band"]?.DeepClone(),
                ["complete"] = news2["complete"]?.DeepClone(),
                ["missing"] = news2["missing"]?.DeepClone(),
                ["t"] = news2["t"]?.DeepClone(),
            },
            ["alarms"] = alarms,
        };
    }

    /// <summary>What a tile shows of a chain; its state as <see cref="ChainJson"/> words it.</summary>
    private static JsonObject Chain(JsonNode? c) => new()
    {
        ["lane"] = c?["lane"]?.DeepClone(),
        ["epoch"] = c?["epoch"]?.DeepClone(),
        ["verifiedThrough"] = c?["verifiedThrough"]?.GetValue<long>() ?? 0,
        ["pending"] = c?["pending"]?.GetValue<long>() ?? 0,
        ["missing"] = c?["missing"]?.GetValue<long>() ?? 0,
        ["gapCovered"] = c?["gapCovered"]?.GetValue<long>() ?? 0,
        ["state"] = c?["state"]?.DeepClone(),
        ["problems"] = c?["problems"]?.DeepClone(),
    };
}
