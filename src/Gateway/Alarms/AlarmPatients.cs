namespace EdgeTwin.Gateway.Alarms;

using EdgeTwin.Gateway.Twin.Model;

/// <summary>
/// The inference engine's patient keys. A device bound to nobody is scored as a bed of its own,
/// <c>unattributed:&lt;device&gt;</c>: a bedside box must alarm for a desaturating patient whether
/// or not anyone was admitted in the twin, and two unbound devices must not mix their vitals.
/// On the wire both that key and the gateway-wide technical alarms (engine patient <c>""</c>)
/// become <c>"patient":"unattributed"</c>; the record's <c>device</c> says which bed or the gateway.
/// </summary>
internal static class AlarmPatients
{
    private const string UnattributedPrefix = SampleAttribution.Unattributed + ":";

    public static string EngineKey(string? patient, string deviceId) => patient ?? UnattributedPrefix + deviceId;

    /// <summary>Whether the engine key names an admitted patient (pseudonym) rather than a device or the gateway.</summary>
    public static bool IsPatient(string engineKey) =>
        engineKey.Length > 0 && !engineKey.StartsWith(UnattributedPrefix, StringComparison.Ordinal);

    public static string Wire(string engineKey) => IsPatient(engineKey) ? engineKey : SampleAttribution.Unattributed;
}
