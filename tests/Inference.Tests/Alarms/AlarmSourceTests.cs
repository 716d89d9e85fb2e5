namespace EdgeTwin.Inference.Tests.Alarms;

using EdgeTwin.Drivers.Model;
using EdgeTwin.Inference.Alarms;
using Microsoft.Extensions.Time.Testing;
using static EdgeTwin.Inference.Tests.VitalFixture;

/// <summary>Threshold rules on the heart and respiration rate read the source NEWS2 would, and are one alarm per patient.</summary>
public class AlarmSourceTests
{
    private readonly FakeTimeProvider _time = new(Start);
    private readonly List<AlarmStateChange> _changes = [];
    private readonly AlarmManager _alarms;

    public AlarmSourceTests() => _alarms = new AlarmManager(new AlarmOptions { MaxEscalations = 0 }, _time);

    [Fact]
    public void OximeterPulseRateAlone_RaisesHrHigh_SayingItWasReadFromTheOximeter()
    {
        Feed(seconds: 15, _ => [(PulseOximeter, "ox-1", 150)]);

        var raised = Assert.Single(_changes);
        Assert.Equal(("p1", "ox-1", "hr-high", AlarmTransition.Raised, 150d), (raised.Patient, raised.Device, raised.Condition, raised.State, raised.Value));
        Assert.Equal(Start.AddSeconds(10), raised.At);
        Assert.Equal("Heart rate high: 150 /min, read from Pulse rate (pulse oximetry) loinc:8889-8", raised.Text);
    }

    [Fact]
    public void CuffPulseRateAlone_OneLowReading_RaisesHrLowAfterTheOnsetDelay()
    {
        Feed(seconds: 15, s => s == 0 ? [(PulseCuff, "nibp-1", 35)] : []);

        var raised = Assert.Single(_changes);
        Assert.Equal(("nibp-1", "hr-low", AlarmPriority.High, 35d), (raised.Device, raised.Condition, raised.Priority, raised.Value));
        Assert.Equal(Start.AddSeconds(10), raised.At);
        Assert.Equal("Heart rate low: 35 /min, read from Pulse rate (non-invasive, cuff) loinc:76477-9", raised.Text);
    }

    [Fact]
    public void FreshEcgHeartRate_WinsOverAHighOximeterPulseRate_NoAlarm()
    {
        Feed(seconds: 120, _ => [(Hr, "mon-1", 80), (PulseOximeter, "ox-1", 150)]);

        Assert.Empty(_changes);
    }

    [Fact]
    public void EcgAndOximeterBothHigh_RaiseOneAlarmNotTwo_ReadFromTheEcg()
    {
        Feed(seconds: 30, _ => [(Hr, "mon-1", 150), (PulseOximeter, "ox-1", 152)]);

        var raised = Assert.Single(_changes);
        Assert.Equal(("mon-1", "hr-high", 150d), (raised.Device, raised.Condition, raised.Value));
        Assert.Equal("Heart rate high: 150 /min, read from Heart rate loinc:8867-4", raised.Text);
        Assert.Equal("hr-high", Assert.Single(_alarms.Active()).Condition);
    }

    [Fact]
    public void EcgLeadsOff_OximeterCarriesTheSameConditionOn_OneAlarm()
    {
        // ECG high for 5 s then leads off (invalid); the oximeter, high all along, takes over at once.
        Feed(seconds: 15, s => [(Hr, "mon-1", s < 5 ? 150 : null), (PulseOximeter, "ox-1", 150)]);

        var raised = Assert.Single(_changes, c => c.Condition == "hr-high");
        Assert.Equal(Start.AddSeconds(10), raised.At);
        Assert.Equal(("ox-1", "Heart rate high: 150 /min, read from Pulse rate (pulse oximetry) loinc:8889-8"), (raised.Device, raised.Text));
    }

    [Fact]
    public void EcgSilentForMoreThanTheFreshness_OximeterPulseRateCounts()
    {
        // ECG 80 at 0-9 s, then nothing: fresh until 69 s (1 min); the oximeter's 150 counts from 70 s.
        Feed(seconds: 100, s => s < 10 ? [(Hr, "mon-1", 80), (PulseOximeter, "ox-1", 150)] : [(PulseOximeter, "ox-1", 150)]);

        var raised = Assert.Single(_changes);
        Assert.Equal(("hr-high", "ox-1"), (raised.Condition, raised.Device));
        Assert.Equal(Start.AddSeconds(80), raised.At);
    }

    [Fact]
    public void PlethRespirationRateAlone_RaisesRrHigh_SayingSo()
    {
        Feed(seconds: 15, _ => [(RrPleth, "ox-1", 35)]);

        var raised = Assert.Single(_changes);
        Assert.Equal(("ox-1", "rr-high", 35d), (raised.Device, raised.Condition, raised.Value));
        Assert.Equal("Respiration rate high: 35 /min, read from Respiratory rate (pulse oximetry plethysmogram) loinc:76174-2", raised.Text);
    }

    [Fact]
    public void FreshImpedanceRespirationRate_WinsOverThePlethRate_NoAlarm()
    {
        Feed(seconds: 120, _ => [(Rr, "mon-1", 16), (RrPleth, "ox-1", 35)]);

        Assert.Empty(_changes);
    }

    [Fact]
    public void SpO2Rule_StaysPerDevice_AndItsTextNamesNoSource()
    {
        Feed(seconds: 15, _ => [(Spo2, "ox-1", 88), (Spo2, "ox-2", 88)]);

        Assert.Equal([("ox-1", "SpO2 low: 88 %"), ("ox-2", "SpO2 low: 88 %")], _changes.Select(c => (c.Device, c.Text)));
    }

    [Fact]
    public void EndPatient_ForgetsTheSources_SoANewStayStartsFromNone()
    {
        Feed(seconds: 5, _ => [(Hr, "mon-1", 80)]);
        _alarms.EndPatient("p1", "patient discharged");

        // Were the ECG still remembered as fresh, the oximeter would be ignored for a minute.
        Feed(seconds: 15, _ => [(PulseOximeter, "ox-1", 150)]);

        Assert.Equal(("hr-high", "ox-1"), (Assert.Single(_changes).Condition, _changes[0].Device));
    }

    private void Feed(int seconds, Func<int, (StreamCode Stream, string Device, double? Value)[]> samples)
    {
        for (var s = 0; s < seconds; s++)
        {
            foreach (var (stream, device, value) in samples(s))
            {
                _changes.AddRange(_alarms.Observe("p1", At(stream, _time.GetUtcNow(), value, device)));
            }

            _time.Advance(TimeSpan.FromSeconds(1));
            _changes.AddRange(_alarms.Tick());
        }
    }
}
