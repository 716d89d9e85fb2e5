using EdgeTwin.Inference.Alarms;
using EdgeTwin.Inference.Model;
using EdgeTwin.Inference.News2;
using EdgeTwin.Inference.Vitals;
using Microsoft.Extensions.Time.Testing;

namespace EdgeTwin.Inference.Tests.Simulation;

/// <summary>The library end to end on the Drivers simulator's own scenarios.</summary>
public class SimulatorScenarioTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 16, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task AcuteHypoxia_RaisesNews2HighWithinSixtySeconds()
    {
        var time = new FakeTimeProvider(Start);
        var scorer = new News2Scorer(new News2Options(), time);
        var alarms = new AlarmManager(new AlarmOptions(), time);
        var changes = new List<AlarmStateChange>();
        var lockObject = new Lock();
        await using var bed = new SimulatedBed(time, "acute-hypoxia", new PatientVitals("p1"), sample =>
        {
            lock (lockObject)
            {
                changes.AddRange(alarms.Observe("p1", sample));
            }
        });

        for (var s = 0; s < 60; s++)
        {
            await bed.AdvanceAsync(TimeSpan.FromSeconds(1));
            lock (lockObject)
            {
                changes.AddRange(alarms.Apply(scorer.Score(bed.Vitals), bed.DeviceId));
                changes.AddRange(alarms.Tick());
            }
        }

        var news2 = Assert.Single(changes, c => c.Source == "news2");
        Assert.Equal((AlarmConditions.News2High, AlarmPriority.High, AlarmTransition.Raised), (news2.Condition, news2.Priority, news2.State));
        // The ramp starts at 5 s and the onset delay is 10 s: never earlier than 15 s, and within the minute.
        Assert.InRange(news2.At - Start, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(60));
        Assert.True(news2.Value >= 7);
    }

    [Fact]
    public async Task Sepsis_ModelRiskRisesPastTheAlarmThreshold_StableStaysLow()
    {
        using var runner = new ModelRunner(new ModelOptions());
        var sepsis = await RiskCurveAsync(runner, "sepsis");
        var stable = await RiskCurveAsync(runner, "stable");

        Assert.All(stable, r => Assert.InRange(r, 0, 0.5));
        Assert.InRange(sepsis[0], 0, 0.5);
        Assert.InRange(sepsis[^1], new AlarmOptions().ModelRiskThreshold, 1);
    }

    /// <summary>Risk every 10 minutes from minute 60 to minute 250 (the end of the sepsis decline).</summary>
    private static async Task<List<double>> RiskCurveAsync(ModelRunner runner, string scenario)
    {
        var time = new FakeTimeProvider(Start);
        await using var bed = new SimulatedBed(time, scenario, new PatientVitals("p1"));
        var risks = new List<double>();
        for (var minute = 1; minute <= 250; minute++)
        {
            await bed.AdvanceAsync(TimeSpan.FromMinutes(1));
            if (minute >= 60 && minute % 10 == 0)
            {
                var prediction = runner.Predict(bed.Vitals, time.GetUtcNow(), out var problem);
                Assert.True(prediction is not null, problem);
                risks.Add(prediction.Risk);
            }
        }

        return risks;
    }
}
