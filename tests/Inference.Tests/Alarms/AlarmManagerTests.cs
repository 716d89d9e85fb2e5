namespace EdgeTwin.Inference.Tests.Alarms;

using EdgeTwin.Drivers.Gpio.Annunciation;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Inference.Alarms;
using EdgeTwin.Inference.Model;
using EdgeTwin.Inference.News2;
using Microsoft.Extensions.Time.Testing;
using static EdgeTwin.Inference.Tests.VitalFixture;

public class AlarmManagerTests
{
    private readonly FakeTimeProvider _time = new(Start);
    private readonly List<AlarmStateChange> _changes = [];
    private AlarmManager _alarms;

    // Escalation is off except in the tests about it, so each test shows one behaviour.
    public AlarmManagerTests() => _alarms = new AlarmManager(new AlarmOptions { MaxEscalations = 0 }, _time);

    [Fact]
    public void FlappingSpO2AroundTheLimit_RaisesOneAlarmNotDozens()
    {
        Feed(Spo2, seconds: 60, _ => 97);
        Feed(Spo2, seconds: 600, s => s % 2 == 0 ? 89 : 91);   // hovering in the hysteresis band (clears only at 92)
        Feed(Spo2, seconds: 600, s => s % 10 < 5 ? 88 : 93);   // swinging across both edges
        Feed(Spo2, seconds: 120, _ => 97);

        Assert.Equal(
            [("spo2-low", AlarmTransition.Raised), ("spo2-low", AlarmTransition.Cleared)],
            _changes.Select(c => (c.Condition, c.State)));
        var raised = _changes[0];
        Assert.Equal(("p1", "mon-1", AlarmPriority.Medium, "rule", 91d), (raised.Patient, raised.Device, raised.Priority, raised.Source, raised.Value));
        Assert.Equal(Start.AddSeconds(70), raised.At);
        Assert.Equal("SpO2 low: 91 %", raised.Text);
        Assert.Equal(("medium", "raised"), (raised.PriorityWire, raised.StateWire));
    }

    [Fact]
    public void EndPatient_ClearsRaisedLatchedAndAcknowledged_SaysWhy_LeavesOthersAlone()
    {
        Feed(Spo2, seconds: 15, _ => 80);            // spo2-low (medium) and spo2-critical (high) raised
        _changes.AddRange(_alarms.Acknowledge("p1", "spo2-low"));
        _changes.AddRange(_alarms.Observe("p2", At(Spo2, _time.GetUtcNow(), 80)));
        _time.Advance(TimeSpan.FromSeconds(15));
        _changes.AddRange(_alarms.Observe("p2", At(Spo2, _time.GetUtcNow(), 80)));
        _changes.Clear();

        var ended = _alarms.EndPatient("p1", "patient discharged");

        Assert.Equal(
            [("spo2-critical", AlarmTransition.Cleared), ("spo2-low", AlarmTransition.Cleared)],
            ended.Select(c => (c.Condition, c.State)));
        Assert.All(ended, c => Assert.StartsWith("patient discharged: ", c.Text, StringComparison.Ordinal));
        Assert.DoesNotContain(_alarms.Active(), a => a.Patient == "p1");
        Assert.Contains(_alarms.Active(), a => a.Patient == "p2");
        Assert.Empty(_alarms.EndPatient("p1", "patient discharged")); // nothing left to end
    }

    [Fact]
    public void DipShorterThanOnsetDelay_RaisesNothing()
    {
        Feed(Spo2, seconds: 9, _ => 86);
        Feed(Spo2, seconds: 120, _ => 97);

        Assert.Empty(_changes);
    }

    [Fact]
    public void HighPriorityAlarm_LatchesUntilAcknowledged()
    {
        Feed(Spo2, seconds: 15, _ => 80);
        Feed(Spo2, seconds: 600, _ => 97);

        Assert.Equal(
            [("spo2-low", AlarmTransition.Raised, AlarmPriority.Medium), ("spo2-critical", AlarmTransition.Raised, AlarmPriority.High), ("spo2-low", AlarmTransition.Cleared, AlarmPriority.Medium)],
            _changes.Select(c => (c.Condition, c.State, c.Priority)));
        var latched = Assert.Single(_alarms.Active());
        Assert.Equal(("spo2-critical", false, false), (latched.Condition, latched.ConditionPresent, latched.Acknowledged));
        Assert.Equal(AlarmPriority.High, _alarms.HighestUnacknowledged());

        var ack = _alarms.Acknowledge("p1");

        Assert.Equal([AlarmTransition.Acknowledged, AlarmTransition.Cleared], ack.Select(c => c.State));
        Assert.Empty(_alarms.Active());
        Assert.Null(_alarms.HighestUnacknowledged());
    }

    [Fact]
    public void Acknowledge_WhileConditionPersists_SilencesUntilItClears_AndStopsEscalation()
    {
        _alarms = new AlarmManager(new AlarmOptions(), _time);
        Feed(Spo2, seconds: 30, _ => 88);
        var ack = _alarms.Acknowledge("p1", "spo2-low");
        Feed(Spo2, seconds: 600, _ => 88);
        Feed(Spo2, seconds: 60, _ => 97);

        Assert.Equal(AlarmTransition.Acknowledged, Assert.Single(ack).State);
        Assert.Equal(
            [AlarmTransition.Raised, AlarmTransition.Cleared],
            _changes.Select(c => c.State));
        Assert.All(_changes, c => Assert.Equal(0, c.Escalation));
    }

    [Fact]
    public void Annunciation_FollowsTheHighestUnacknowledgedPriority()
    {
        Assert.Equal(AnnunciationLevel.None, _alarms.Annunciation());
        Feed(Spo2, seconds: 12, _ => 88);
        Assert.Equal(AnnunciationLevel.Medium, _alarms.Annunciation());
        Feed(Spo2, seconds: 12, _ => 80);
        Assert.Equal(AnnunciationLevel.High, _alarms.Annunciation());

        _alarms.Acknowledge("p1");
        Assert.Equal(AnnunciationLevel.Low, _alarms.Annunciation());

        Feed(Spo2, seconds: 60, _ => 97);
        Assert.Equal(AnnunciationLevel.None, _alarms.Annunciation());
    }

    [Fact]
    public void Acknowledge_OtherPatientOrNothingRaised_ChangesNothing()
    {
        Feed(Spo2, seconds: 30, _ => 88);

        Assert.Empty(_alarms.Acknowledge("p2"));
        Assert.Empty(_alarms.Acknowledge("p1", "hr-high"));
        Assert.False(Assert.Single(_alarms.Active()).Acknowledged);
    }

    [Fact]
    public void UnacknowledgedAlarm_EscalatesOneStepPerPeriod_UpToTheLimit()
    {
        _alarms = new AlarmManager(new AlarmOptions(), _time);
        Feed(Spo2, seconds: 20 * 60, _ => 88);

        Assert.Equal(
            [(AlarmPriority.Medium, 0), (AlarmPriority.High, 1), (AlarmPriority.High, 2), (AlarmPriority.High, 3)],
            _changes.Select(c => (c.Priority, c.Escalation)));
        Assert.Equal(Start.AddSeconds(10 + 120), _changes[1].At);
        Assert.Equal("escalated (1): SpO2 low: 88 %", _changes[1].Text);
        Assert.All(_changes, c => Assert.Equal(AlarmTransition.Raised, c.State));
    }

    [Fact]
    public void EscalatedToHigh_Latches()
    {
        _alarms = new AlarmManager(new AlarmOptions(), _time);
        Feed(Spo2, seconds: 200, _ => 88);
        Feed(Spo2, seconds: 120, _ => 97);

        Assert.DoesNotContain(_changes, c => c.State == AlarmTransition.Cleared);
        Assert.Equal(AlarmPriority.High, Assert.Single(_alarms.Active()).Priority);
    }

    [Fact]
    public void InvalidSamples_DoNotClearAPhysiologicalAlarm_AndRaiseSensorOff()
    {
        Feed(Spo2, seconds: 30, _ => 88);
        Feed(Spo2, seconds: 100, _ => null);

        Assert.Equal(
            [("spo2-low", AlarmTransition.Raised), ("sensor-off:loinc:59408-5", AlarmTransition.Raised)],
            _changes.Select(c => (c.Condition, c.State)));
        var sensorOff = _changes[1];
        Assert.True(sensorOff.Technical);
        Assert.Equal(Start.AddSeconds(30 + 15), sensorOff.At);

        Feed(Spo2, seconds: 1, _ => 97);
        Assert.Equal(("sensor-off:loinc:59408-5", AlarmTransition.Cleared), (_changes[^1].Condition, _changes[^1].State));
    }

    [Fact]
    public void Uplink_DownLongerThanConfigured_RaisesAndClearsOnReconnect()
    {
        Assert.Empty(_alarms.SetUplinkConnected(false));
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Empty(_alarms.SetUplinkConnected(true));
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Empty(_alarms.SetUplinkConnected(false));
        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.Empty(_alarms.Tick());
        _time.Advance(TimeSpan.FromSeconds(1));

        var raised = Assert.Single(_alarms.Tick());
        var cleared = Assert.Single(_alarms.SetUplinkConnected(true));

        Assert.Equal(("", "gateway", AlarmConditions.UplinkDown, AlarmPriority.Medium, true), (raised.Patient, raised.Device, raised.Condition, raised.Priority, raised.Technical));
        Assert.Equal(AlarmTransition.Cleared, cleared.State);
    }

    [Fact]
    public void ModelUnavailable_RaisesTechnicalAlarmWithReason_DisabledDoesNot()
    {
        var disabled = new ModelStatus(false, "m1", "1", null, "disabled by configuration") { Disabled = true };
        Assert.Empty(_alarms.SetModelStatus(disabled));

        var raised = Assert.Single(_alarms.SetModelStatus(new ModelStatus(false, "m1", "1", "ab", "model file x has SHA-256 ab")));
        var cleared = Assert.Single(_alarms.SetModelStatus(new ModelStatus(true, "m1", "1", "cd", null)));

        Assert.Equal((AlarmConditions.ModelUnavailable, AlarmPriority.Low, "model:m1"), (raised.Condition, raised.Priority, raised.Source));
        Assert.Equal("Model m1 unavailable, rules only: model file x has SHA-256 ab", raised.Text);
        Assert.Equal(AlarmTransition.Cleared, cleared.State);
    }

    [Fact]
    public void DeviceLost_RaisesAtOnceAndClearsWhenBack()
    {
        var raised = Assert.Single(_alarms.SetDeviceHealth("p1", "mon-1", DeviceHealth.Lost));
        Assert.Empty(_alarms.SetDeviceHealth("p1", "mon-1", DeviceHealth.Lost));
        var cleared = Assert.Single(_alarms.SetDeviceHealth("p1", "mon-1", DeviceHealth.Degraded));

        Assert.Equal((AlarmConditions.DeviceLost, AlarmTransition.Raised, true), (raised.Condition, raised.State, raised.Technical));
        Assert.Equal(AlarmTransition.Cleared, cleared.State);
    }

    [Fact]
    public void News2High_RaisesHighFromSourceNews2AfterOnsetDelay()
    {
        var high = Score(8, News2RiskBand.High);

        Assert.Empty(_alarms.Apply(high, "mon-1"));
        _time.Advance(TimeSpan.FromSeconds(10));
        var raised = Assert.Single(_alarms.Apply(high, "mon-1"));

        Assert.Equal((AlarmConditions.News2High, AlarmPriority.High, "news2", 8d), (raised.Condition, raised.Priority, raised.Source, raised.Value));
        Assert.Equal("NEWS2 8 (high)", raised.Text);
    }

    [Fact]
    public void News2_IncompleteLowScore_DoesNotClearAMediumAlarm_CompleteLowDoes()
    {
        Apply(Score(5, News2RiskBand.Medium), seconds: 15);
        Apply(Score(2, News2RiskBand.Low, missing: News2Parameter.Pulse), seconds: 300);
        Assert.Equal([AlarmTransition.Raised], _changes.Select(c => c.State));

        Apply(Score(2, News2RiskBand.Low), seconds: 40);

        Assert.Equal(
            [(AlarmConditions.News2Medium, AlarmTransition.Raised), (AlarmConditions.News2Medium, AlarmTransition.Cleared)],
            _changes.Select(c => (c.Condition, c.State)));
    }

    [Fact]
    public void News2_IncompleteButAlreadyMedium_Raises()
    {
        Apply(Score(6, News2RiskBand.Medium, missing: News2Parameter.Temperature), seconds: 15);

        var raised = Assert.Single(_changes);
        Assert.Equal(AlarmConditions.News2Medium, raised.Condition);
        Assert.Equal("NEWS2 6 (medium), incomplete: temperature stale", raised.Text);
    }

    [Fact]
    public void News2_MediumRisingToHigh_ClearsMediumAndRaisesHigh()
    {
        Apply(Score(5, News2RiskBand.Medium), seconds: 15);
        Apply(Score(7, News2RiskBand.High), seconds: 40);

        Assert.Equal(
            [(AlarmConditions.News2Medium, AlarmTransition.Raised), (AlarmConditions.News2High, AlarmTransition.Raised), (AlarmConditions.News2Medium, AlarmTransition.Cleared)],
            _changes.Select(c => (c.Condition, c.State)));
    }

    [Fact]
    public void News2_FromTwoDevicesOfOnePatient_IsOneAlarm()
    {
        var high = Score(8, News2RiskBand.High);
        for (var s = 0; s < 30; s++)
        {
            _changes.AddRange(_alarms.Apply(high, s % 2 == 0 ? "monitor" : "thermometer"));
            _time.Advance(TimeSpan.FromSeconds(1));
            _changes.AddRange(_alarms.Tick());
        }

        var raised = Assert.Single(_changes);
        // The record names the device of the latest evidence (here the 10th apply, from the thermometer).
        Assert.Equal((AlarmConditions.News2High, "thermometer"), (raised.Condition, raised.Device));
        Assert.Single(_alarms.Active());
    }

    [Fact]
    public void TechnicalAlarm_EscalatedToHigh_DoesNotLatch()
    {
        _alarms = new AlarmManager(new AlarmOptions(), _time);
        _alarms.SetUplinkConnected(false);
        for (var s = 0; s < 600; s++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            _changes.AddRange(_alarms.Tick());
        }

        _changes.AddRange(_alarms.SetUplinkConnected(true));

        Assert.Equal(AlarmPriority.High, _changes[^2].Priority);
        Assert.Equal((AlarmTransition.Cleared, AlarmConditions.UplinkDown), (_changes[^1].State, _changes[^1].Condition));
        Assert.Empty(_alarms.Active());
    }

    [Fact]
    public void ModelRisk_RaisesAboveThreshold_HoldsInHysteresis_IgnoresMissingPredictions()
    {
        Predict(0.75, seconds: 15);
        Predict(0.65, seconds: 60);
        Predict(null, seconds: 60);
        Assert.Equal([AlarmTransition.Raised], _changes.Select(c => c.State));

        Predict(0.55, seconds: 40);

        Assert.Equal([AlarmTransition.Raised, AlarmTransition.Cleared], _changes.Select(c => c.State));
        Assert.Equal(("model:m1", AlarmConditions.ModelDeterioration, 0.75), (_changes[0].Source, _changes[0].Condition, _changes[0].Value));
    }

    [Fact]
    public void Constructor_RuleWithoutLimits_IsRejected()
    {
        var options = new AlarmOptions { Thresholds = [new ThresholdRule { Condition = "x", Stream = Spo2.Code, Text = "x" }] };

        var error = Assert.Throws<ArgumentException>(() => new AlarmManager(options, _time));
        Assert.StartsWith("threshold rule x: neither Below nor Above is set", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_DuplicateCondition_IsRejected()
    {
        var rule = new ThresholdRule { Condition = "x", Stream = Spo2.Code, Below = 90, Text = "x" };

        Assert.Throws<ArgumentException>(() => new AlarmManager(new AlarmOptions { Thresholds = [rule, rule] }, _time));
    }

    [Fact]
    public void Observe_WaveformSample_IsIgnored()
    {
        Assert.Empty(_alarms.Observe("p1", At(Ecg, Start, null)));
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(_alarms.Observe("p1", At(Ecg, _time.GetUtcNow(), null)));
        Assert.Empty(_alarms.Active());
    }

    private void Feed(StreamCode stream, int seconds, Func<int, double?> value)
    {
        for (var s = 0; s < seconds; s++)
        {
            _changes.AddRange(_alarms.Observe("p1", At(stream, _time.GetUtcNow(), value(s))));
            _time.Advance(TimeSpan.FromSeconds(1));
            _changes.AddRange(_alarms.Tick());
        }
    }

    private void Apply(News2Result score, int seconds)
    {
        for (var s = 0; s < seconds; s++)
        {
            _changes.AddRange(_alarms.Apply(score with { At = _time.GetUtcNow() }, "mon-1"));
            _time.Advance(TimeSpan.FromSeconds(1));
            _changes.AddRange(_alarms.Tick());
        }
    }

    private void Predict(double? risk, int seconds)
    {
        for (var s = 0; s < seconds; s++)
        {
            var prediction = risk is { } r ? new ModelPrediction("p1", "m1", _time.GetUtcNow(), r) : null;
            _changes.AddRange(_alarms.Apply("p1", "mon-1", "m1", prediction));
            _time.Advance(TimeSpan.FromSeconds(1));
            _changes.AddRange(_alarms.Tick());
        }
    }

    private News2Result Score(int aggregate, News2RiskBand band, News2Parameter? missing = null) =>
        new("p1", Start, aggregate, false, band, false, new Dictionary<News2Parameter, int>(),
            missing is { } m ? [new MissingParameter(m, MissingReason.Stale, Start)] : [], new Dictionary<News2Parameter, string>());
}
