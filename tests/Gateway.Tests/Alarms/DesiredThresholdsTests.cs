namespace EdgeTwin.Gateway.Tests.Alarms;

using EdgeTwin.Drivers.Model;
using EdgeTwin.Gateway.Tests.Twin;
using EdgeTwin.Inference;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

/// <summary>Desired alarm thresholds put in force in the alarm manager of a wired gateway.</summary>
public sealed class DesiredThresholdsTests
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));

    [Fact]
    public async Task DesiredDocument_LowersThenRaisesTheSpo2Limit_TheAlarmFollows()
    {
        await using var g = new WiredGateway();
        await g.Controller.StartAsync(_timeout.Token);

        // SpO2 88 % is below the configured 90 %: raised after the onset delay.
        For(g, seconds: 20, 88);
        Assert.Equal([("spo2-low", "raised")], SpO2Low(g));

        // Lowered to 85 %: 88 % no longer meets it (87 % with hysteresis), so it clears after the clear delay, not at once.
        Assert.Null(await g.Controller.ApplyDesiredAsync(1, DesiredJson.Settings("""{"alarms":{"thresholds":{"spo2Low":85}}}"""), _timeout.Token));
        For(g, seconds: 29, 88);
        Assert.Equal([("spo2-low", "raised")], SpO2Low(g));
        For(g, seconds: 2, 88);
        Assert.Equal([("spo2-low", "raised"), ("spo2-low", "cleared")], SpO2Low(g));

        // Raised to 92 %: the same 88 % raises it again.
        Assert.Null(await g.Controller.ApplyDesiredAsync(2, DesiredJson.Settings("""{"alarms":{"thresholds":{"spo2Low":92}}}"""), _timeout.Token));
        For(g, seconds: 12, 88);
        Assert.Equal([("spo2-low", "raised"), ("spo2-low", "cleared"), ("spo2-low", "raised")], SpO2Low(g));

        Assert.Equal(92, g.Engine.Alarms.Thresholds.Single(r => r.Condition == "spo2-low").Below);
        Assert.Equal(
            ["""{"version":1,"thresholds":{"spo2Low":{"from":90,"to":85}}}""", """{"version":2,"thresholds":{"spo2Low":{"from":85,"to":92}}}"""],
            g.Events.Events.Where(e => e.Type == "alarm-thresholds-changed").Select(e => e.Fields.ToJsonString()));
    }

    [Fact]
    public async Task Restart_DesiredLimitStaysInForce_AndLocalLimitsComeFromTheAlarmRules()
    {
        var settings = new Dictionary<string, string?> { ["Gateway:DataDirectory"] = Directory.CreateTempSubdirectory("edgetwin-restart-").FullName };
        try
        {
            await using (var g = new WiredGateway(settings))
            {
                await g.Controller.StartAsync(_timeout.Token);
                Assert.Equal(140, g.Controller.Twin.Control.Configuration.Thresholds.HrHigh); // from the rule, not the twin's own default
                Assert.Null(await g.Controller.ApplyDesiredAsync(1, DesiredJson.Settings("""{"alarms":{"thresholds":{"hrHigh":120}}}"""), _timeout.Token));
            }

            await using var again = new WiredGateway(settings);
            await again.Controller.StartAsync(_timeout.Token);

            Assert.Equal(120, again.Engine.Alarms.Thresholds.Single(r => r.Condition == "hr-high").Above);
            For(again, seconds: 12, 125, StreamCodes.HeartRate);
            Assert.Contains(again.Appender.Alarms, a => (a.Condition, a.State) == ("hr-high", "raised"));
        }
        finally
        {
            Directory.Delete(settings["Gateway:DataDirectory"]!, recursive: true);
        }
    }

    [Fact]
    public async Task AlarmRulesWithoutARuleForATwinThreshold_FailAtStart()
    {
        await using var g = new WiredGateway(new()
        {
            ["Inference:Alarms:Thresholds:0:Condition"] = "spo2-low",
            ["Inference:Alarms:Thresholds:0:Stream"] = StreamCodes.SpO2.Code,
            ["Inference:Alarms:Thresholds:0:Below"] = "90",
            ["Inference:Alarms:Thresholds:0:Text"] = "SpO2 low",
        });

        var error = Assert.Throws<OptionsValidationException>(() => g.Provider.GetRequiredService<IOptions<InferenceOptions>>().Value);

        Assert.Contains("twin threshold hrLow needs alarm rule hr-low in Inference:Alarms:Thresholds", error.Message, StringComparison.Ordinal);
    }

    private static void For(WiredGateway g, int seconds, double value, StreamCode? stream = null)
    {
        for (var s = 0; s < seconds; s++)
        {
            g.Second("mon-1", (stream ?? StreamCodes.SpO2, value));
        }
    }

    private static List<(string, string)> SpO2Low(WiredGateway g) =>
        [.. g.Appender.Alarms.Where(a => a.Condition == "spo2-low").Select(a => (a.Condition, a.State))];
}
