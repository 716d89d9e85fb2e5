namespace EdgeTwin.Integration.Tests.Gateway;

using System.Text;
using System.Text.Json.Nodes;
using EdgeTwin.Drivers.Tests.Hl7;
using EdgeTwin.Gateway.Privacy;
using EdgeTwin.Integration.Tests.Support;

/// <summary>
/// The built gateway as a process, a spot-check vital-signs monitor (no ECG) on a real MLLP socket:
/// its message alone gives the admitted patient a complete NEWS2 in <c>GET /twin</c>, scored on the
/// oximeter's pulse rate, with the cuff's pulse rate kept as its own stream.
/// </summary>
public sealed class Hl7SpotCheckNews2Tests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task SpotCheckMonitorMessageAlone_GivesACompleteNews2InTheTwin_FromTheOximetersPulseRate()
    {
        using var mosquitto = new Mosquitto();
        var data = Directory.CreateTempSubdirectory("edgetwin-it-").FullName;
        var mllp = Mosquitto.FreePort();
        var statusPort = Mosquitto.FreePort();
        var args = InProcessGateway.Args(data, mosquitto.Port,
            $"--Status:Url=http://127.0.0.1:{statusPort}", "--Simulation:Beds=0",
            "--Devices:0:Type=hl7-mllp", "--Devices:0:Id=spot-monitor", "--Devices:0:Address=127.0.0.1", $"--Devices:0:Port={mllp}",
            "--Devices:0:SendingApplication=SPOTCHECK", "--Devices:0:SendingFacility=WARD7");
        using var gateway = GatewayProcess.Start(data, args);
        using var http = BoxAdmin.Client($"http://127.0.0.1:{statusPort}", data, TimeSpan.FromSeconds(5));

        await Wait.UntilAsync(async () => await TwinAsync(http) is not null || gateway.HasExited, Patience, () => "the gateway's GET /twin");
        Assert.False(gateway.HasExited, gateway.Stderr + gateway.Stdout);
        using var admit = new StringContent("""{ "action": "admit", "patient": "MRN-7007", "bed": "ward7-3", "devices": ["spot-monitor"] }""", Encoding.UTF8, "application/json");
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.PostAsync("/twin/bindings", admit)).StatusCode);

        using var monitor = await MllpMonitor.ConnectAsync(mllp, Patience);
        var ack = await monitor.SendAsync(Hl7Corpus.Load("spot-check-vital-signs-monitor", DateTimeOffset.UtcNow.AddSeconds(5))); // measured after the admission
        Assert.Contains("\rMSA|AA|SC-20260701-0001\r", ack, StringComparison.Ordinal); // nothing "not used"

        var patient = new Pseudonymizer(SiteSecret.Load(Path.Combine(data, "site-secret"))).Pseudonymize("MRN-7007");
        JsonNode? news2 = null;
        await Wait.UntilAsync(
            async () => (news2 = (await TwinAsync(http))?["state"]?["patients"]?[patient]?["scores"]?["news2"]) is { } s && s["complete"]!.GetValue<bool>() || gateway.HasExited,
            Patience,
            () => $"a complete NEWS2 for the patient; last: {news2?.ToJsonString() ?? "none"}");
        var twin = (await TwinAsync(http))!["state"]!["patients"]![patient]!;
        gateway.Terminate();
        Assert.True(gateway.WaitForExit(TimeSpan.FromSeconds(40)), "graceful stop on SIGTERM");

        // By hand from the message: RR 22 → 2, SpO2 95 → 1, air → 0, systolic 108 → 1, pulse 96 → 1, alert → 0, 38.4 °C → 1.
        Assert.Equal(6, news2!["v"]!.GetValue<double>());
        Assert.Equal("medium", news2["band"]!.GetValue<string>());
        Assert.Null(news2["missing"]);
        Assert.Equal(
            """{"consciousness":"loinc:80288-4","pulse":"loinc:8889-8","respiration-rate":"loinc:9279-1","spo2":"loinc:59408-5","supplemental-oxygen":"loinc:3150-0","systolic-bp":"loinc:8480-6","temperature":"loinc:8310-5"}""",
            news2["sources"]!.ToJsonString());
        var vitals = twin["vitals"]!.AsObject();
        Assert.Equal(96, vitals["loinc:8889-8"]!["v"]!.GetValue<double>());
        Assert.Equal(98, vitals["loinc:76477-9"]!["v"]!.GetValue<double>());
        Assert.Equal("spot-monitor", vitals["loinc:76477-9"]!["device"]!.GetValue<string>());
        Assert.False(vitals.ContainsKey("loinc:8867-4"));
        Assert.Equal(0, gateway.ExitCode);
        Assert.DoesNotContain(gateway.Stdout.Split('\n'), l => l.StartsWith("fail:", StringComparison.Ordinal) || l.StartsWith("crit:", StringComparison.Ordinal));
        Directory.Delete(data, recursive: true);
    }

    private static async Task<JsonNode?> TwinAsync(HttpClient http)
    {
        try
        {
            return JsonNode.Parse(await http.GetStringAsync("/twin"));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }
}
