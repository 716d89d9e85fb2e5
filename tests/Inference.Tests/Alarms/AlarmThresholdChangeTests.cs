namespace EdgeTwin.Inference.Tests.Alarms;

using EdgeTwin.Inference.Alarms;
using Microsoft.Extensions.Time.Testing;
using static EdgeTwin.Inference.Tests.VitalFixture;

/// <summary>Threshold rules changed live (<see cref="AlarmManager.SetThresholds"/>), as the twin's desired limits do.</summary>
public class AlarmThresholdChangeTests
{
    private readonly FakeTimeProvider _time = new(Start);
    private readonly List<AlarmStateChange> _changes = [];
    private readonly AlarmManager _alarms;

    public AlarmThresholdChangeTests() => _alarms = new AlarmManager(new AlarmOptions { MaxEscalations = 0 }, _time);

    [Fact]
    public void RaisedLimit_NewlyMetCondition_RaisesAfterTheOnsetDelay()
    {
        Feed(seconds: 60, 92);
        Assert.Empty(_changes);

        _alarms.SetThresholds(With("spo2-low", below: 94));
        Feed(seconds: 20, 92);

        var raised = Assert.Single(_changes);
        Assert.Equal(("spo2-low", AlarmTransition.Raised, AlarmPriority.Medium), (raised.Condition, raised.State, raised.Priority));
        Assert.Equal(Start.AddSeconds(70), raised.At);
    }

    [Fact]
    public void LoweredLimit_ActiveAlarm_ClearsThroughTheClearDelayNotAtOnce()
    {
        Feed(seconds: 20, 88);
        Assert.Equal([("spo2-low", AlarmTransition.Raised)], _changes.Select(c => (c.Condition, c.State)));

        _alarms.SetThresholds(With("spo2-low", below: 85));
        var loweredAt = _time.GetUtcNow();
        Assert.Single(_alarms.Active()); // not dropped silently
        Feed(seconds: 60, 88);

        var cleared = _changes[^1];
        Assert.Equal(("spo2-low", AlarmTransition.Cleared), (cleared.Condition, cleared.State));
        Assert.Equal(loweredAt + new AlarmOptions().ClearDelay, cleared.At);
        Assert.Equal(2, _changes.Count);
        Assert.Empty(_alarms.Active());
    }

    [Fact]
    public void LoweredLimit_ValueInsideTheNewHysteresisBand_StaysRaised()
    {
        Feed(seconds: 20, 88);

        // New limit 87 with hysteresis 2: a raised alarm ends only at 89 or above.
        _alarms.SetThresholds(With("spo2-low", below: 87));
        Feed(seconds: 120, 88);

        Assert.Equal([AlarmTransition.Raised], _changes.Select(c => c.State));
    }

    [Fact]
    public void Thresholds_ReturnsCopies_ThatDoNotChangeTheRulesInForce()
    {
        _alarms.Thresholds.Single(r => r.Condition == "spo2-low").Below = 99;
        Feed(seconds: 60, 95);

        Assert.Empty(_changes);
        Assert.Equal(90, _alarms.Thresholds.Single(r => r.Condition == "spo2-low").Below);
    }

    [Theory]
    [InlineData("new", "threshold condition spo2-new is new")]
    [InlineData("missing", "threshold condition temp-high is missing")]
    [InlineData("moved", "threshold condition spo2-low moves from stream loinc:59408-5 to loinc:8867-4")]
    [InlineData("no-limit", "threshold rule spo2-low: neither Below nor Above is set")]
    [InlineData("twice", "threshold condition spo2-low is defined twice")]
    public void SetThresholds_BadRules_ThrowAndChangeNothing(string change, string message)
    {
        var rules = _alarms.Thresholds.ToList();
        var spo2Low = rules.Single(r => r.Condition == "spo2-low");
        switch (change)
        {
            case "new":
                rules.Add(new ThresholdRule { Condition = "spo2-new", Stream = Spo2.Code, Below = 80, Text = "x" });
                break;
            case "missing":
                rules.RemoveAll(r => r.Condition == "temp-high");
                break;
            case "moved":
                spo2Low.Stream = Hr.Code;
                spo2Low.Below = 95;
                break;
            case "no-limit":
                spo2Low.Below = null;
                break;
            default:
                spo2Low.Below = 95;
                rules.Add(spo2Low.Clone());
                break;
        }

        var error = Assert.Throws<ArgumentException>(() => _alarms.SetThresholds(rules));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(90, _alarms.Thresholds.Single(r => r.Condition == "spo2-low").Below);
        Feed(seconds: 60, 92);
        Assert.Empty(_changes);
    }

    [Fact]
    public async Task SetThresholds_WhileSamplesArriveOnAnotherThread_NeitherThrowsNorLosesTheLastLimit()
    {
        using var stop = new CancellationTokenSource();
        var fed = 0L;
        var feeder = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                _alarms.Observe("p1", At(Spo2, _time.GetUtcNow(), 92));
                _alarms.Tick();
                Interlocked.Increment(ref fed);
            }
        });

        // The overlap is the point: the feeder is running before the changes start and keeps
        // feeding while they happen (at least 100 samples during them), however the threads are scheduled.
        using var started = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (Interlocked.Read(ref fed) == 0)
        {
            started.Token.ThrowIfCancellationRequested();
            await Task.Yield();
        }

        var fedBefore = Interlocked.Read(ref fed);
        var changes = 0;
        while (changes < 2_000 || (Interlocked.Read(ref fed) - fedBefore < 100 && changes < 10_000_000))
        {
            _alarms.SetThresholds(With("spo2-low", below: changes % 2 == 0 ? 80 : 85));
            changes++;
        }

        if (changes % 2 == 1)
        {
            _alarms.SetThresholds(With("spo2-low", below: 85));
        }

        var fedDuring = Interlocked.Read(ref fed) - fedBefore;
        await stop.CancelAsync();
        await feeder.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(fedDuring >= 100, $"only {fedDuring} samples were fed while the limits changed");
        Assert.Equal(85, _alarms.Thresholds.Single(r => r.Condition == "spo2-low").Below);
    }

    private List<ThresholdRule> With(string condition, double below)
    {
        var rules = _alarms.Thresholds.ToList();
        rules.Single(r => r.Condition == condition).Below = below;
        return rules;
    }

    private void Feed(int seconds, double value)
    {
        for (var s = 0; s < seconds; s++)
        {
            _changes.AddRange(_alarms.Observe("p1", At(Spo2, _time.GetUtcNow(), value)));
            _time.Advance(TimeSpan.FromSeconds(1));
            _changes.AddRange(_alarms.Tick());
        }
    }
}
