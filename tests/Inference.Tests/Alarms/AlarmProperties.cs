namespace EdgeTwin.Inference.Tests.Alarms;

using EdgeTwin.Inference.Alarms;
using EdgeTwin.Inference.News2;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;
using static EdgeTwin.Inference.Tests.VitalFixture;

public class AlarmProperties
{
    /// <summary>Once raised, any wandering inside the hysteresis band (85-91.9 %) changes nothing.</summary>
    [Property(MaxTest = 50)]
    public Property RaisedSpO2Alarm_WanderingInsideTheHysteresisBand_EmitsNothing() =>
        Prop.ForAll(
            Gen.ListOf(Gen.Choose(850, 919)).Where(l => l.Count > 0).ToArbitrary(),
            tenths =>
            {
                var time = new FakeTimeProvider(Start);
                // No clear delay: only the value hysteresis holds the alarm, so this checks the hysteresis alone.
                var alarms = new AlarmManager(new AlarmOptions { MaxEscalations = 0, ClearDelay = TimeSpan.Zero }, time);
                for (var s = 0; s < 12; s++)
                {
                    alarms.Observe("p1", At(Spo2, time.GetUtcNow(), 88));
                    time.Advance(TimeSpan.FromSeconds(1));
                    alarms.Tick();
                }

                var changes = new List<AlarmStateChange>();
                foreach (var value in tenths)
                {
                    changes.AddRange(alarms.Observe("p1", At(Spo2, time.GetUtcNow(), value / 10.0)));
                    time.Advance(TimeSpan.FromSeconds(1));
                    changes.AddRange(alarms.Tick());
                }

                return changes.Count == 0 && alarms.Active().Single().Condition == "spo2-low";
            });

    /// <summary>Higher saturation never scores more on scale 1, nor on scale 2 on air.</summary>
    [Property(MaxTest = 200)]
    public Property SpO2Scores_AreNonIncreasingOnScale1AndOnAir() =>
        Prop.ForAll(
            Gen.Choose(500, 1000).ToArbitrary(),
            Gen.Choose(0, 50).ToArbitrary(),
            (low, step) =>
            {
                double a = low / 10.0, b = Math.Min(100, a + (step / 10.0));
                return News2Chart.SpO2Scale1(b) <= News2Chart.SpO2Scale1(a) && News2Chart.SpO2Scale2(b, false) <= News2Chart.SpO2Scale2(a, false);
            });
}
