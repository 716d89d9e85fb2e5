namespace EdgeTwin.Gateway.Alarms;

using EdgeTwin.Drivers.Model;
using EdgeTwin.Gateway.Pipeline;
using EdgeTwin.Gateway.Twin;
using EdgeTwin.Gateway.Twin.Model;
using EdgeTwin.Telemetry.Desired;

/// <summary>The alarm wiring's view of the twin: stays, alarm consent, device health, reported alarms and scores.</summary>
internal sealed class TwinAlarmContext(TwinController controller, TwinDriverSource drivers) : IAlarmContext
{
    public string? PatientAt(string deviceId, DateTimeOffset at)
    {
        var patient = controller.Twin.PatientAt(deviceId, at);
        return string.Equals(patient, SampleAttribution.Unattributed, StringComparison.Ordinal) ? null : patient;
    }

    public bool MayPublishAlarms(string patient) => controller.Twin.MayPublish(patient, StreamClass.Alarms);

    /// <summary>Enabled devices only: a device the desired state switched off raises no technical alarm.</summary>
    public IReadOnlyList<(string Device, DeviceHealth Health)> DeviceHealth() =>
        [.. drivers.Drivers.Where(d => drivers.IsEnabled(d.Info.DeviceId)).Select(d => (d.Info.DeviceId, d.Health))];

    public void ReportAlarm(string patient, string condition, string state, string priority, DateTimeOffset at) =>
        controller.ObserveAlarm(patient, condition, state, priority, at);

    public void ReportScore(string patient, string name, double value, DateTimeOffset at, string band, IReadOnlyDictionary<string, string> missing, IReadOnlyDictionary<string, string> sources) =>
        controller.ObserveScore(patient, new ScoreReading(name, value, at, band, missing, sources));
}
