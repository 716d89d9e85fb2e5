namespace EdgeTwin.Gateway.Alarms;

using EdgeTwin.Drivers.Model;

/// <summary>
/// What the alarm wiring needs from the rest of the gateway (the twin in production, fakes in
/// tests): whose a device is at a time, alarm consent, device health, and where states go.
/// </summary>
internal interface IAlarmContext
{
    /// <summary>The pseudonym bound to <paramref name="deviceId"/> at <paramref name="at"/>, or null when nobody is.</summary>
    string? PatientAt(string deviceId, DateTimeOffset at);

    /// <summary>Whether alarm records about <paramref name="patient"/> (a pseudonym) may be published.</summary>
    bool MayPublishAlarms(string patient);

    /// <summary>Every running device and its health now.</summary>
    IReadOnlyList<(string Device, DeviceHealth Health)> DeviceHealth();

    void ReportAlarm(string patient, string condition, string state, string priority, DateTimeOffset at);

    /// <summary>
    /// A score and its band; <paramref name="missing"/> names each input left out (wire name → <c>no-data</c>,
    /// <c>invalid</c> or <c>stale</c>), empty when the score is complete; <paramref name="sources"/>
    /// names the stream each scored input was read from (wire name → stream code).
    /// </summary>
    void ReportScore(string patient, string name, double value, DateTimeOffset at, string band, IReadOnlyDictionary<string, string> missing, IReadOnlyDictionary<string, string> sources);
}
