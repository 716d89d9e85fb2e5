namespace EdgeTwin.Gateway.Alarms;

using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;

/// <summary>
/// The alarms open on this box under the identity the ingest's alarm reporter gives them
/// (<see cref="AlarmIdentity"/>; docs/alarms-out.md, "One alarm, one identity"): the first alarm-lane
/// record of a key with no open alarm opens it and names it, every later record of the key until the
/// clear belongs to it, the clear closes it. Kept in memory from the records this run appended: an
/// alarm opened before a restart is not known after it (a status naming it is refused as unknown).
/// </summary>
internal sealed class AlarmIdentities(string gw)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, OpenAlarm> _byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OpenAlarm> _byAlert = new(StringComparer.Ordinal);

    /// <summary>Called with each alarm record appended, in order; <paramref name="enginePatient"/> is the engine's key of the patient.</summary>
    public void Appended(string enginePatient, AlarmBody body, ChainRecord record)
    {
        var key = AlarmIdentity.Key(body.Patient, body.Device, body.Condition, body.Source);
        lock (_gate)
        {
            if (body.State == "cleared")
            {
                if (_byKey.Remove(key, out var closed))
                {
                    _byAlert.Remove(closed.Alert);
                }

                return;
            }

            if (!_byKey.ContainsKey(key))
            {
                var open = new OpenAlarm(AlarmIdentity.ControlId(gw, record.Epoch, record.Seq), enginePatient, body.Patient, body.Device, body.Condition);
                _byKey[key] = open;
                _byAlert[open.Alert] = open;
            }
        }
    }

    /// <summary>The open alarm with this identity, or null.</summary>
    public OpenAlarm? Find(string alert)
    {
        lock (_gate)
        {
            return _byAlert.GetValueOrDefault(alert);
        }
    }

    /// <summary>An open alarm: its identity, the engine's patient key, and the patient, device and condition its records carry.</summary>
    internal sealed record OpenAlarm(string Alert, string EnginePatient, string Patient, string Device, string Condition);
}
