namespace EdgeTwin.Inference.Tests;

using System.Security.Cryptography;
using EdgeTwin.Inference.Alarms;
using EdgeTwin.Inference.Model;
using EdgeTwin.Inference.News2;
using EdgeTwin.Inference.Tests.Simulation;
using EdgeTwin.Inference.Vitals;
using Microsoft.Extensions.Time.Testing;
using static EdgeTwin.Inference.Tests.VitalFixture;

public sealed class InferenceEngineTests : IDisposable
{
    private const string StreamCodesSpO2 = "loinc:59408-5";

    private readonly FakeTimeProvider _time = new(Start);
    private readonly List<ModelRunner> _runners = [];
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("edgetwin-engine-test-");

    public void Dispose()
    {
        _runners.ForEach(r => r.Dispose());
        _temp.Delete(recursive: true);
    }

    [Fact]
    public async Task Sepsis_RaisesAModelSourcedAlarmBeforeNews2Medium()
    {
        var engine = Engine(new ModelOptions());
        var changes = new List<AlarmStateChange>();
        await using var bed = new SimulatedBed(_time, "sepsis", new PatientVitals("unused"), s => Collect(changes, engine.Observe("p1", s)));

        Collect(changes, engine.Evaluate());
        for (var step = 0; step < 250 * 6; step++)
        {
            await bed.AdvanceAsync(TimeSpan.FromSeconds(10));
            Collect(changes, engine.Evaluate());
        }

        var model = changes.First(c => c.Source == "model:" + ShippedModel.Id);
        var news2 = changes.First(c => c.Condition == AlarmConditions.News2Medium);
        Assert.Equal((AlarmConditions.ModelDeterioration, AlarmTransition.Raised, "p1", bed.DeviceId), (model.Condition, model.State, model.Patient, model.Device));
        Assert.True(model.At < news2.At, $"model alarm at {model.At - Start}, NEWS2 medium at {news2.At - Start}");
        Assert.DoesNotContain(changes, c => c.Condition == AlarmConditions.ModelUnavailable);
        var summary = Assert.Single(engine.Summaries());
        Assert.True(summary.News2!.Aggregate >= 7);
        Assert.True(summary.Prediction!.Risk >= 0.7);
    }

    [Fact]
    public async Task MotionArtefact_HalfAnHour_RaisesNoAlarm()
    {
        var changes = await RunAsync("motion-artefact", TimeSpan.FromMinutes(30));

        Assert.Empty(changes);
    }

    [Fact]
    public async Task AcuteHypoxia_PassesTheArtefactFilter_AndRaisesWithinAMinute()
    {
        var changes = await RunAsync("acute-hypoxia", TimeSpan.FromSeconds(60));

        Assert.Contains(changes, c => c.Condition == AlarmConditions.News2High && c.State == AlarmTransition.Raised);
        Assert.Contains(changes, c => c.Condition == "spo2-low" && c.State == AlarmTransition.Raised);
    }

    [Fact]
    public async Task Stable_TenMinutes_RaisesNoAlarm() => Assert.Empty(await RunAsync("stable", TimeSpan.FromMinutes(10)));

    [Fact]
    public async Task Bradycardia_RaisesHeartRateLowHighThenNews2Medium()
    {
        var changes = await RunAsync("bradycardia", TimeSpan.FromMinutes(3));

        Assert.Equal(
            [("hr-low", AlarmPriority.High, "rule"), (AlarmConditions.News2Medium, AlarmPriority.Medium, "news2")],
            changes.Select(c => (c.Condition, c.Priority, c.Source)));
    }

    [Fact]
    public async Task SensorOff_RaisesSensorOffThenDeviceLost()
    {
        var changes = await RunAsync("sensor-off", TimeSpan.FromSeconds(90));

        Assert.Equal(
            [("sensor-off:" + StreamCodesSpO2, TimeSpan.FromSeconds(45)), (AlarmConditions.DeviceLost, TimeSpan.FromSeconds(60))],
            changes.Select(c => (c.Condition, c.At - Start)));
        Assert.All(changes, c => Assert.True(c.Technical));
    }

    [Fact]
    public void CorruptModel_RulesOnlyWithOneTechnicalAlarm_News2StillScored()
    {
        var corrupt = Path.Combine(_temp.FullName, "m.onnx");
        File.WriteAllBytes(corrupt, RandomNumberGenerator.GetBytes(1000));
        var engine = Engine(new ModelOptions { Path = corrupt });
        Feed(engine, rr: 26, spo2: 90, hr: 125);

        var first = engine.Evaluate();
        _time.Advance(TimeSpan.FromSeconds(15));
        var later = engine.Evaluate();

        var unavailable = Assert.Single(first);
        Assert.Equal((AlarmConditions.ModelUnavailable, true), (unavailable.Condition, unavailable.Technical));
        Assert.Equal(AlarmConditions.News2High, Assert.Single(later).Condition);
        var summary = Assert.Single(engine.Summaries());
        Assert.Null(summary.Prediction);
        Assert.Equal(8, summary.News2!.Aggregate);   // RR 3 + SpO2 3 + pulse 2
        Assert.False(engine.ModelStatus.Available);
    }

    [Fact]
    public void SetHypercapnic_SwitchesThePatientToScale2()
    {
        var engine = Engine(new ModelOptions { Enabled = false });
        Feed(engine, rr: 16, spo2: 89, hr: 80);
        engine.Evaluate();
        var scale1 = engine.Summaries()[0].News2!;
        engine.SetHypercapnic("p1", true);
        engine.Evaluate();
        var scale2 = engine.Summaries()[0].News2!;

        Assert.Equal((false, 3), (scale1.ScaleTwo, scale1.Scores[News2Parameter.SpO2]));
        Assert.Equal((true, 0), (scale2.ScaleTwo, scale2.Scores[News2Parameter.SpO2]));
    }

    [Fact]
    public void SetHypercapnic_BeforeTheFirstSample_CreatesNoPatientAndScoresScale2OnceVitalsCome()
    {
        var engine = Engine(new ModelOptions { Enabled = false });
        engine.SetHypercapnic("p1", true);
        engine.Evaluate();
        Assert.Empty(engine.Summaries());

        Feed(engine, rr: 16, spo2: 89, hr: 80);
        engine.Evaluate();

        var news2 = Assert.Single(engine.Summaries()).News2!;
        Assert.Equal((true, 0), (news2.ScaleTwo, news2.Scores[News2Parameter.SpO2]));
        Assert.True(engine.IsHypercapnic("p1"));
    }

    [Fact]
    public void Remove_ForgetsTheVitalsButNotTheFlag()
    {
        var engine = Engine(new ModelOptions { Enabled = false });
        engine.SetHypercapnic("p1", true);
        Feed(engine, rr: 16, spo2: 89, hr: 80);
        engine.Evaluate();

        Assert.True(engine.Remove("p1"));
        engine.Evaluate();
        Assert.Empty(engine.Summaries());

        _time.Advance(TimeSpan.FromMinutes(1));
        Feed(engine, rr: 16, spo2: 89, hr: 80);
        engine.Evaluate();
        Assert.True(Assert.Single(engine.Summaries()).News2!.ScaleTwo);

        engine.SetHypercapnic("p1", false);
        engine.Evaluate();
        Assert.False(engine.Summaries()[0].News2!.ScaleTwo);
    }

    [Fact]
    public void Observe_WaveformOrBlankPatient_IsIgnoredOrRejected()
    {
        var engine = Engine(new ModelOptions { Enabled = false });

        Assert.Empty(engine.Observe("p1", At(Ecg, Start, 0.1)));
        Assert.Empty(engine.Summaries());
        Assert.Throws<ArgumentException>(() => engine.Observe(" ", At(Hr, Start, 70)));
        Assert.False(engine.Remove("p1"));
    }

    private async Task<List<AlarmStateChange>> RunAsync(string scenario, TimeSpan duration)
    {
        var engine = Engine(new ModelOptions());
        var changes = new List<AlarmStateChange>();
        await using var bed = new SimulatedBed(_time, scenario, new PatientVitals("unused"), s => Collect(changes, engine.Observe("p1", s)));
        Collect(changes, engine.Evaluate());
        for (var s = 0; s < duration.TotalSeconds; s++)
        {
            await bed.AdvanceAsync(TimeSpan.FromSeconds(1));
            Collect(changes, engine.Alarms.SetDeviceHealth("p1", bed.DeviceId, bed.Health));
            Collect(changes, engine.Evaluate());
        }

        return changes;
    }

    private static void Collect(List<AlarmStateChange> into, IReadOnlyList<AlarmStateChange> changes)
    {
        lock (into)
        {
            into.AddRange(changes);
        }
    }

    private void Feed(InferenceEngine engine, double rr, double spo2, double hr)
    {
        var at = _time.GetUtcNow();
        engine.Observe("p1", At(Rr, at, rr));
        engine.Observe("p1", At(Spo2, at, spo2));
        engine.Observe("p1", At(Oxygen, at, 0));
        engine.Observe("p1", At(Sbp, at, 120));
        engine.Observe("p1", At(Hr, at, hr));
        engine.Observe("p1", At(Consciousness, at, 0));
        engine.Observe("p1", At(Temp, at, 37));
    }

    private InferenceEngine Engine(ModelOptions model)
    {
        var options = new InferenceOptions { Model = model };
        var runner = new ModelRunner(model);
        _runners.Add(runner);
        return new InferenceEngine(new News2Scorer(options.News2, _time), runner, new AlarmManager(options.Alarms, _time), options, _time);
    }
}
