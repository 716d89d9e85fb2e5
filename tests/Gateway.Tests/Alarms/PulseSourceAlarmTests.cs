namespace EdgeTwin.Gateway.Tests.Alarms;

using EdgeTwin.Drivers.Model;
using EdgeTwin.Telemetry.Records;

/// <summary>
/// Heart rate limit alarms of a wired gateway from a patient without ECG: the oximeter's pulse rate
/// is read when no fresh ECG heart rate is there, and one condition is one alarm whatever its source.
/// </summary>
public sealed class PulseSourceAlarmTests
{
    private static readonly StreamCode PulseOximeter = StreamCodes.PulseRateOximetry;

    [Fact]
    public async Task OximeterPulseRateAlone_RaisesHrHighOnTheAlarmLane_ReadFromTheOximeter()
    {
        await using var g = new WiredGateway();

        for (var s = 0; s < 15; s++)
        {
            g.Second("ox-1", (PulseOximeter, 150));
        }

        var raised = Assert.Single(HeartRateAlarms(g));
        Assert.Equal(
            ("unattributed", "ox-1", "medium", "hr-high", "raised", "rule", 150d),
            (raised.Patient, raised.Device, raised.Priority, raised.Condition, raised.State, raised.Source, raised.Value));
        Assert.Equal("Heart rate high: 150 /min, read from Pulse rate (pulse oximetry) loinc:8889-8", raised.Text);
    }

    [Fact]
    public async Task MonitorSendingEcgHeartRateAndOximeterPulseRate_BothHigh_RecordsOneHrHigh()
    {
        await using var g = new WiredGateway();

        for (var s = 0; s < 30; s++)
        {
            g.Second("mon-1", (StreamCodes.HeartRate, 150), (PulseOximeter, 152));
        }

        var raised = Assert.Single(HeartRateAlarms(g));
        Assert.Equal(("hr-high", "raised", 150d), (raised.Condition, raised.State, raised.Value));
        Assert.Equal("Heart rate high: 150 /min, read from Heart rate loinc:8867-4", raised.Text);
    }

    [Fact]
    public async Task ConfiguredSourceFreshness_DecidesWhenTheOximeterPulseRateTakesOver()
    {
        await using var g = new WiredGateway(new() { ["Inference:News2:SourceFreshness"] = "00:00:10" });

        // ECG 80 in seconds 0-4, then silent: fresh through second 14. The oximeter's 150 counts from
        // second 15, and hr-high is raised 10 s (the onset delay) later, in the round of second 25.
        for (var s = 0; s < 25; s++)
        {
            g.Second("mon-1", s < 5 ? [(StreamCodes.HeartRate, 80), (PulseOximeter, 150)] : [(PulseOximeter, 150)]);
        }

        Assert.Empty(HeartRateAlarms(g));
        g.Second("mon-1", (PulseOximeter, 150));
        var raised = Assert.Single(HeartRateAlarms(g));
        Assert.Equal(("hr-high", "raised", "mon-1"), (raised.Condition, raised.State, raised.Device));
    }

    // A pulse of 150 also scores NEWS2 3 (news2-low-medium); these tests are about the limit alarms.
    private static List<AlarmBody> HeartRateAlarms(WiredGateway g) =>
        [.. g.Appender.Alarms.Where(a => a.Condition.StartsWith("hr-", StringComparison.Ordinal))];
}
