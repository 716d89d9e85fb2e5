namespace EdgeTwin.Gateway.Tests.Alarms;

using EdgeTwin.Drivers.Model;
using EdgeTwin.Gateway.Privacy;
using EdgeTwin.Gateway.Tests.Twin;
using EdgeTwin.Inference.News2;
using EdgeTwin.Telemetry.Desired;
using Microsoft.Extensions.DependencyInjection;

/// <summary>The twin's hypercapnic flag and discharges reaching the inference engine of a wired gateway.</summary>
public sealed class TwinPatientStateTests
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));

    [Fact]
    public async Task DesiredFlag_ScoresTheAdmittedPatientOnScale2_DischargeStopsScoringThem()
    {
        await using var g = new WiredGateway();
        var patient = await AdmitAsync(g);

        Vitals(g, seconds: 3);
        var scale1 = Assert.Single(g.Engine.Summaries()).News2!;
        Assert.Equal((patient, false, 3), (scale1.Patient, scale1.ScaleTwo, scale1.Scores[News2Parameter.SpO2]));
        Assert.Equal(3, News2InTheTwin(g, patient));

        Assert.Null(await g.Controller.ApplyDesiredAsync(1, DesiredJson.Settings("""{"patients":{"MRN-1":{"hypercapnic":true}}}"""), _timeout.Token));
        Vitals(g, seconds: 1);
        var scale2 = Assert.Single(g.Engine.Summaries()).News2!;
        Assert.Equal((true, 0), (scale2.ScaleTwo, scale2.Scores[News2Parameter.SpO2]));
        Assert.Equal(0, News2InTheTwin(g, patient));

        Assert.Null(await g.Controller.ApplyDesiredAsync(2, DesiredJson.Settings("""{"bindings":[{"action":"discharge","patient":"MRN-1"}]}"""), _timeout.Token));
        Assert.DoesNotContain(g.Engine.Summaries(), s => s.Patient == patient);
        Assert.False(g.Engine.IsHypercapnic(patient));

        // The bed's monitor keeps measuring: it is scored as the unbound device, never as the patient.
        Vitals(g, seconds: 2);
        Assert.Equal(["unattributed:mon-1"], g.Engine.Summaries().Select(s => s.Patient));
    }

    [Fact]
    public async Task Discharge_EndsThePatientsOpenAlarms_ClearedOnTheLane_BedFallsSilent()
    {
        await using var g = new WiredGateway();
        var patient = await AdmitAsync(g);

        // SpO2 80 % for 20 s: spo2-low and spo2-critical raised (the critical one latches).
        for (var s = 0; s < 20; s++)
        {
            g.Second("mon-1", (StreamCodes.SpO2, 80));
        }

        var raised = g.Appender.Alarms.Where(a => a.Patient == patient && a.State == "raised").Select(a => a.Condition).ToHashSet();
        Assert.Contains("spo2-critical", raised);
        Assert.NotEqual(Drivers.Gpio.Annunciation.AnnunciationLevel.None, g.Engine.Alarms.Annunciation());

        Assert.Null(await g.Controller.BindLocalAsync(BindingAction.Discharge, "MRN-1", null, [], null, _timeout.Token));
        g.Alarms.RecordQueued();

        var cleared = g.Appender.Alarms.Where(a => a.Patient == patient && a.State == "cleared").ToList();
        Assert.Equal(raised.Order(StringComparer.Ordinal), cleared.Select(a => a.Condition).Order(StringComparer.Ordinal));
        Assert.All(cleared, a => Assert.StartsWith(Gateway.Alarms.InferencePatientTarget.Discharged, a.Text, StringComparison.Ordinal));
        Assert.DoesNotContain(g.Engine.Alarms.Active(), a => a.Patient == patient);
        Assert.Equal(Drivers.Gpio.Annunciation.AnnunciationLevel.None, g.Engine.Alarms.Annunciation());
    }

    /// <summary>Starts the twin and admits MRN-1 to bed-1 with monitor mon-1; returns the pseudonym.</summary>
    private async Task<string> AdmitAsync(WiredGateway g)
    {
        g.Controller.Twin.RegisterDevice(TwinFixture.Device("mon-1", StreamCodes.SpO2, StreamCodes.HeartRate));
        await g.Controller.StartAsync(_timeout.Token);
        Assert.Null(await g.Controller.BindLocalAsync(BindingAction.Admit, "MRN-1", "bed-1", ["mon-1"], null, _timeout.Token));
        return g.Provider.GetRequiredService<Pseudonymizer>().Pseudonymize("MRN-1");
    }

    private static double? News2InTheTwin(WiredGateway g, string patient) =>
        g.Controller.Twin.Snapshot().Patients.Single(p => p.Patient == patient).Scores.SingleOrDefault(s => s.Name == "news2")?.Value;

    /// <summary>A complete set of vitals each second: on air, SpO2 89 % (3 points on scale 1, none on scale 2), the rest normal.</summary>
    private static void Vitals(WiredGateway g, int seconds)
    {
        for (var s = 0; s < seconds; s++)
        {
            g.Second(
                "mon-1",
                (StreamCodes.RespiratoryRate, 16),
                (StreamCodes.SpO2, 89),
                (StreamCodes.SupplementalO2, 0),
                (StreamCodes.SystolicBp, 120),
                (StreamCodes.HeartRate, 80),
                (StreamCodes.Consciousness, 0),
                (StreamCodes.BodyTemperature, 37));
        }
    }
}
