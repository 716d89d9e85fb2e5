namespace EdgeTwin.Integration.Tests.Ingest;

using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using EdgeTwin.Gateway.Privacy;
using EdgeTwin.Hl7v2;
using EdgeTwin.Ingest.Tests.Integration;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Integration.Tests.Support;

/// <summary>
/// Issue 20 end to end: the real gateway (acute-hypoxia bed, patient admitted to bed-7) →
/// mosquitto → the ingest as a real process → a test alarm manager on loopback MLLP. The first
/// PCD-04 arrives while the manager does not answer; the ingest is SIGKILLed mid-send and started
/// again, and sends that message once more; the SpO2 alarm's escalation and its clear (discharge)
/// follow under the same alert identity; a PCD-05 accept from the manager is recorded and shown
/// at /api/alarms.
/// </summary>
public sealed class AlarmsOutTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AcuteHypoxia_OruR40ToTheManager_KilledMidSend_ResentOnce_EscalationAndClearSameAlert_Pcd05AcceptRecorded()
    {
        using var mosquitto = new Mosquitto();
        await using var manager = new TestAlarmManager { Answer = _ => null };
        var data = Directory.CreateTempSubdirectory("edgetwin-it-acm-gw-").FullName;
        var ingestData = Directory.CreateTempSubdirectory("edgetwin-it-acm-ingest-").FullName;
        var (gatewayKey, gatewayAddress) = AcmRig.NewKey(Path.Combine(data, "gateway.key"));
        var (ingestKey, ingestAddress) = AcmRig.NewKey(Path.Combine(ingestData, "ingest.key"));
        var tokenKey = IngestTokens.NewKeyFile(ingestData);
        var httpPort = Mosquitto.FreePort();
        var pcd05Port = Mosquitto.FreePort();
        var statusPort = Mosquitto.FreePort();
        var ingestArgs = AcmRig.IngestArgs(
            mosquitto, httpPort, ingestData, gatewayAddress, ingestKey, tokenKey, manager.Port, pcd05Port,
            "--Ingest:ResendInterval=00:00:01", "--Ingest:AlarmManagers:0:ReceivingApplication=TEST-AM", "--Ingest:AlarmManagers:0:ReceivingFacility=HOSP",
            "--Ingest:AlarmsOut:SendTimeout=00:01:00", "--Ingest:AlarmsOut:RetryDelay=00:00:00.050", "--Ingest:AlarmsOut:RetryMaxDelay=00:00:00.500");

        var first = new IngestWorkerProcess(ingestArgs);
        await first.WaitSubscribedAsync(Patience);
        var gateway = await InProcessGateway.StartAsync(InProcessGateway.Args(
            data, mosquitto.Port, "--Simulation:Beds=1", "--Simulation:Scenario=acute-hypoxia", "--Simulation:Speed=4",
            "--Inference:Alarms:EscalateAfter=00:00:10", "--Uplink:Receipts=true", $"--Uplink:ReceiptSigners:0={ingestAddress}",
            $"--Gateway:KeyFile={gatewayKey}", $"--Status:Url=http://127.0.0.1:{statusPort}"));
        using var status = BoxAdmin.Client($"http://127.0.0.1:{statusPort}", data);
        Assert.Equal(HttpStatusCode.OK, (await status.PostAsync("/twin/bindings", Json("""{"action":"admit","patient":"MRN-IT-20","bed":"bed-7","devices":["sim-bed-1"]}"""))).StatusCode);
        var patient = new Pseudonymizer(SiteSecret.Load(Path.Combine(data, "site-secret"))).Pseudonymize("MRN-IT-20");

        // The first alarm reaches the manager, which does not answer; the ingest dies waiting for the ACK.
        var head = (await manager.WaitForAsync(1, Patience))[0];
        first.Kill();
        first.Dispose();
        AssertWellFormed(head, patient);
        Assert.Equal("start", Facet(head, "68481"));

        // Started again on the same store, it sends the unacknowledged message once more; now the manager answers AA.
        manager.Answer = _ => "AA";
        using var second = new IngestWorkerProcess(ingestArgs);
        await second.WaitSubscribedAsync(Patience);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") }.WithToken(IngestTokens.Mint(tokenKey));
        var headAlert = head.Segments.Single(s => s.Id == "OBR").Get(3);
        await Wait.UntilAsync(async () => Delivered(await AlarmAsync(http, headAlert), head.ControlId), Patience, () => $"{head.ControlId} acked after the restart; ingest: {second.Output}");
        Assert.Equal(2, manager.Received.Count(m => m.ControlId == head.ControlId));

        // The SpO2 alarm escalates (medium → high after 10 s unanswered) and clears when the patient is discharged.
        await Wait.UntilAsync(() => Phases(manager, "spo2-low").Contains("escalate"), Patience, "the spo2-low escalation");
        Assert.Equal(HttpStatusCode.OK, (await status.PostAsync("/twin/bindings", Json("""{"action":"discharge","patient":"MRN-IT-20"}"""))).StatusCode);
        await Wait.UntilAsync(() => Phases(manager, "spo2-low").Contains("end"), Patience, "the spo2-low clear after the discharge");
        var spo2 = manager.Received.Where(m => Condition(m) == "spo2-low").DistinctBy(m => m.ControlId).ToList();
        Assert.Equal(["start", "escalate", "end"], spo2.Select(m => Facet(m, "68481")));
        Assert.Equal(["PM", "PH", "PH"], spo2.Select(m => Facet(m, "68484")));
        Assert.Equal(["active", "active", "inactive"], spo2.Select(m => Facet(m, "68482")));
        var alertId = spo2[0].Segments.Single(s => s.Id == "OBR").Get(3);
        Assert.All(spo2, m => Assert.Equal(alertId, m.Segments.Single(s => s.Id == "OBR").Get(3)));
        Assert.All(spo2, m => AssertWellFormed(m, patient));

        // The manager reports the nurse's accept (PCD-05); the ingest records it and shows it.
        var report = "MSH|^~\\&|TEST-AM|HOSP|EDGETWIN|site-it|20261205030000+0000||ORA^R41^ORA_R41|AM-20-1|P|2.6\r"
            + $"MSA|AA|{spo2[0].ControlId}\rOBR|1||{alertId}^EDGETWIN|196616^MDC_EVT_ALARM^MDC\r"
            + "OBX|1|ST|ALERT_STATUS|1|accepted||||||F|||20261205030000+0000||N-20^Seacole^Mary\r";
        var ack = await TestAlarmManager.SendAsync(new IPEndPoint(IPAddress.Loopback, pcd05Port), report, Patience);
        Assert.Contains("\rMSA|AA|AM-20-1\r", ack, StringComparison.Ordinal);
        var alarm = (await AlarmAsync(http, alertId))!;
        var accepted = Assert.Single(alarm["statuses"]!.AsArray());
        Assert.Equal(("accepted", "N-20 Mary Seacole"), (accepted!["status"]!.GetValue<string>(), accepted["who"]!.GetValue<string>()));
        Assert.Equal(("end", false), (alarm["phase"]!.GetValue<string>(), alarm["open"]!.GetValue<bool>()));
        Assert.All(alarm["messages"]!.AsArray(), m => Assert.Equal("acked", m!["status"]!.GetValue<string>()));

        // The ward view's data shows the forwarded alarm, its delivery and the nurse's accept.
        var ward = (await http.GetFromJsonAsync<JsonObject>("/api/ward"))!;
        var shown = ward["gateways"]!.AsArray().Single(g => g!["gw"]!.GetValue<string>() == "gw-it")!["alarmsOut"]!.AsArray()
            .First(f => f!["condition"]!.GetValue<string>() == "spo2-low")!;
        Assert.Equal(("acked", "accepted", "N-20 Mary Seacole"), (shown["delivery"]!.GetValue<string>(), shown["lastStatus"]!["status"]!.GetValue<string>(), shown["lastStatus"]!["who"]!.GetValue<string>()));

        await gateway.StopAsync();
        await gateway.DisposeAsync();
        Assert.Equal(2, manager.Received.Count(m => m.ControlId == head.ControlId));
        Directory.Delete(data, recursive: true);
        Directory.Delete(ingestData, recursive: true);
    }

    /// <summary>Segments and fields the ACM profile requires, with this bed's identity and location.</summary>
    private static void AssertWellFormed(Hl7Message m, string patient)
    {
        Assert.Equal(["MSH", "PID", "PV1", "OBR", "OBX", "OBX", "OBX", "OBX", "OBX", "OBX", "OBX"], m.Segments.Select(s => s.Id));
        Assert.Equal(("ORU^R40^ORU_R40", "2.6", "P", "TEST-AM", "HOSP"), (m.Header.Raw(9), m.Header.Get(12), m.Header.Get(11), m.Header.Get(5), m.Header.Get(6)));
        Assert.Equal("IHE_PCD_ACM_001", m.Header.Get(21));
        Assert.Equal((patient, "ANON"), (m.Segments[1].Get(3), m.Segments[1].Get(3, 5)));
        Assert.Equal(("site-it", "bed-7"), (m.Segments[2].Get(3, 1), m.Segments[2].Get(3, 3)));
        Assert.Equal("196616", m.Segments[3].Get(4));
        var flags = m.Segments[4].Raw(8).Split('~');
        Assert.Contains(flags, f => f is "PH" or "PM" or "PL");
        Assert.Contains("SP", flags);
        Assert.True(Hl7Timestamp.TryParse(m.Segments[4].Get(14), TimeZoneInfo.Utc, out _, out var problem), problem);
    }

    private static string Facet(Hl7Message m, string code) => AcmRig.Facet(m, code);

    private static string Condition(Hl7Message m) => AcmRig.Condition(m);

    private static List<string> Phases(TestAlarmManager manager, string condition) =>
        [.. manager.Received.Where(m => Condition(m) == condition).DistinctBy(m => m.ControlId).Select(m => Facet(m, "68481"))];

    private static bool Delivered(JsonObject? alarm, string controlId) =>
        alarm?["messages"]?.AsArray().Any(m => m!["controlId"]!.GetValue<string>() == controlId && m["status"]!.GetValue<string>() == "acked") == true;

    private static async Task<JsonObject?> AlarmAsync(HttpClient http, string alertId)
    {
        try
        {
            return await http.GetFromJsonAsync<JsonObject>($"/api/alarms/{Uri.EscapeDataString(alertId)}");
        }
        catch (HttpRequestException)
        {
            return null; // not started yet, or not known yet
        }
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
