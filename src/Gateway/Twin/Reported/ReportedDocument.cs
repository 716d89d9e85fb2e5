namespace EdgeTwin.Gateway.Twin.Reported;

using System.Text.Json.Nodes;
using EdgeTwin.Gateway.Twin.Model;
using EdgeTwin.Inference.Model;
using EdgeTwin.Telemetry.Desired;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Wire;

/// <summary>
/// The reported twin document (PROTOCOL §6, schema in docs/twin.md). It leaves the box, so it obeys
/// consent like any record: a patient's vitals and scores appear only with vitals consent, alarm
/// states only with alarms consent; waveforms never appear; patients appear by pseudonym only.
/// </summary>
internal static class ReportedDocument
{
    /// <summary>
    /// The document's <c>state</c> and <c>heads</c>: what decides whether it changed.
    /// <paramref name="model"/> null (no inference in this gateway) leaves <c>model</c> out.
    /// </summary>
    public static (JsonObject State, JsonObject Heads) Content(TwinSnapshot snapshot, TwinControl control, UplinkState uplink, DateTimeOffset now, ModelStatus? model = null)
    {
        var state = new JsonObject
        {
            ["devices"] = Devices(snapshot, control),
            ["patients"] = Patients(snapshot, control, now),
            ["uplink"] = new JsonObject
            {
                ["connected"] = uplink.Connected,
                ["backlog"] = new JsonObject
                {
                    [WireNames.Telemetry] = uplink.Backlog.GetValueOrDefault(Lane.Telemetry),
                    [WireNames.Alarm] = uplink.Backlog.GetValueOrDefault(Lane.Alarm),
                },
            },
            ["config"] = ConfigurationJson.Write(control.Configuration),
            ["desired"] = Desired(control),
            ["storage"] = new JsonObject
            {
                ["full"] = uplink.StorageFullSince is not null,
                ["since"] = uplink.StorageFullSince is { } since ? TwinTime.Format(since) : null,
            },
        };
        if (model is not null)
        {
            state["model"] = Model(model);
        }

        return (state, Heads(uplink));
    }

    public static byte[] Serialize(string gw, long version, DateTimeOffset ts, JsonObject state, JsonObject heads)
    {
        var document = new JsonObject
        {
            ["gw"] = gw,
            ["version"] = version,
            ["ts"] = TwinTime.Format(ts),
            ["state"] = state.DeepClone(),
            ["heads"] = heads.DeepClone(),
        };
        return System.Text.Encoding.UTF8.GetBytes(document.ToJsonString());
    }

    private static JsonObject Heads(UplinkState uplink)
    {
        var heads = new JsonObject();
        foreach (var (lane, name) in new[] { (Lane.Telemetry, WireNames.Telemetry), (Lane.Alarm, WireNames.Alarm) })
        {
            if (uplink.Heads.TryGetValue(lane, out var head))
            {
                heads[name] = new JsonObject { ["epoch"] = head.Epoch, ["seq"] = head.Seq, ["hash"] = head.Hash };
            }
        }

        return heads;
    }

    /// <summary>Also on <c>/status</c> (no patient data in it): the box page's device table needs no token.</summary>
    internal static JsonObject Devices(TwinSnapshot snapshot, TwinControl control)
    {
        var devices = new JsonObject();
        foreach (var device in snapshot.Devices)
        {
            var settings = control.Configuration.For(device.DeviceId);
            devices[device.DeviceId] = new JsonObject
            {
                ["model"] = device.Model,
                ["serial"] = device.Serial,
                ["firmware"] = device.Firmware,
                ["health"] = device.Health.ToString().ToLowerInvariant(),
                ["enabled"] = settings.Enabled,
                ["lastSample"] = device.LastSample is { } last ? TwinTime.Format(last) : null,
            };
        }

        return devices;
    }

    private static JsonObject Patients(TwinSnapshot snapshot, TwinControl control, DateTimeOffset now)
    {
        var stays = control.Bindings.CurrentAt(now).ToDictionary(w => w.Patient, StringComparer.Ordinal);
        var observed = snapshot.Patients.ToDictionary(p => p.Patient, StringComparer.Ordinal);
        var patients = new JsonObject();
        foreach (var patient in stays.Keys.Concat(control.Consent.Patients).Concat(control.Hypercapnic).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var consent = new JsonObject();
            foreach (var (streamClass, granted) in control.Consent.Effective(patient))
            {
                consent[StreamClassNames.Name(streamClass)] = granted;
            }

            // The flag came from the desired state: echoing it tells the cloud nothing new, so it needs no consent.
            var entry = new JsonObject { ["consent"] = consent, ["hypercapnic"] = control.Hypercapnic.Contains(patient) };
            if (stays.TryGetValue(patient, out var stay))
            {
                entry["bed"] = stay.Bed;
                entry["devices"] = new JsonArray([.. stay.Devices.Select(d => (JsonNode)d)]);
                entry["since"] = TwinTime.Format(stay.From);
            }

            if (observed.TryGetValue(patient, out var twin))
            {
                AddObservations(entry, twin, control, patient);
            }

            patients[patient] = entry;
        }

        return patients;
    }

    private static void AddObservations(JsonObject entry, PatientTwin twin, TwinControl control, string patient)
    {
        if (control.Consent.Allows(patient, StreamClass.Vitals))
        {
            var vitals = new JsonObject();
            foreach (var vital in twin.Vitals)
            {
                vitals[vital.Code] = new JsonObject
                {
                    ["v"] = vital.Value,
                    ["unit"] = vital.Unit,
                    ["t"] = TwinTime.Format(vital.At),
                    ["quality"] = vital.Quality,
                    ["device"] = vital.Device,
                };
            }

            var scores = new JsonObject();
            foreach (var score in twin.Scores)
            {
                var reading = new JsonObject { ["v"] = score.Value, ["t"] = TwinTime.Format(score.At), ["complete"] = score.Complete };
                if (score.Band is { } band)
                {
                    reading["band"] = band;
                }

                if (!score.Complete)
                {
                    var missing = new JsonObject();
                    foreach (var (parameter, reason) in score.Missing.OrderBy(m => m.Key, StringComparer.Ordinal))
                    {
                        missing[parameter] = reason;
                    }

                    reading["missing"] = missing;
                }

                if (score.Sources is { Count: > 0 } used)
                {
                    var sources = new JsonObject();
                    foreach (var (parameter, stream) in used.OrderBy(s => s.Key, StringComparer.Ordinal))
                    {
                        sources[parameter] = stream;
                    }

                    reading["sources"] = sources;
                }

                scores[score.Name] = reading;
            }

            entry["vitals"] = vitals;
            entry["scores"] = scores;
        }

        if (control.Consent.Allows(patient, StreamClass.Alarms))
        {
            var alarms = new JsonObject();
            foreach (var alarm in twin.Alarms)
            {
                var reading = new JsonObject { ["state"] = alarm.State, ["priority"] = alarm.Priority, ["t"] = TwinTime.Format(alarm.At) };
                if (alarm.Response is { } response)
                {
                    reading["response"] = new JsonObject
                    {
                        ["status"] = response.Status,
                        ["by"] = response.By,
                        ["at"] = TwinTime.Format(response.At),
                        ["alert"] = response.Alert,
                    };
                }

                alarms[alarm.Condition] = reading;
            }

            entry["alarms"] = alarms;
        }
    }

    /// <summary>Loaded, or rules-only with the reason (missing, corrupt, hash or shape mismatch, disabled).</summary>
    internal static JsonObject Model(ModelStatus model)
    {
        var entry = new JsonObject
        {
            ["id"] = model.ModelId,
            ["version"] = model.Version,
            ["sha256"] = model.Sha256,
            ["status"] = model.Available ? "loaded" : "rules-only",
        };
        if (!model.Available)
        {
            entry["reason"] = model.Reason;
        }

        return entry;
    }

    private static JsonObject Desired(TwinControl control)
    {
        var desired = new JsonObject { ["applied"] = control.DesiredVersion };
        if (control.LastRejected is { } rejected)
        {
            desired["lastRejected"] = new JsonObject
            {
                ["version"] = rejected.Version,
                ["reason"] = rejected.Reason,
                ["at"] = TwinTime.Format(rejected.At),
            };
        }

        return desired;
    }
}
