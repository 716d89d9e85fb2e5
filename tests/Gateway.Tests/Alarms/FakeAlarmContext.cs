namespace EdgeTwin.Gateway.Tests.Alarms;

using System.Collections.Concurrent;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Gateway.Alarms;

/// <summary>Bindings, alarm consent and device health set by the test; reported states kept.</summary>
internal sealed class FakeAlarmContext : IAlarmContext
{
    public Dictionary<string, string> Bindings { get; } = [];

    public HashSet<string> AlarmsWithheld { get; } = [];

    public List<(string Device, DeviceHealth Health)> Devices { get; } = [];

    public ConcurrentQueue<(string Patient, string Condition, string State)> Reported { get; } = new();

    public ConcurrentQueue<(string Patient, string Name, double Value, string Band, IReadOnlyDictionary<string, string> Missing, IReadOnlyDictionary<string, string> Sources)> Scores { get; } = new();

    public string? PatientAt(string deviceId, DateTimeOffset at) => Bindings.GetValueOrDefault(deviceId);

    public bool MayPublishAlarms(string patient) => !AlarmsWithheld.Contains(patient);

    public IReadOnlyList<(string Device, DeviceHealth Health)> DeviceHealth() => Devices;

    public void ReportAlarm(string patient, string condition, string state, string priority, DateTimeOffset at) =>
        Reported.Enqueue((patient, condition, state));

    public void ReportScore(string patient, string name, double value, DateTimeOffset at, string band, IReadOnlyDictionary<string, string> missing, IReadOnlyDictionary<string, string> sources) =>
        Scores.Enqueue((patient, name, value, band, missing, sources));
}
