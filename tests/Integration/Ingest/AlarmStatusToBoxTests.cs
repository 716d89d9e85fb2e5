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
using EdgeTwin.Integration.Tests.Twin;
using EdgeTwin.Telemetry.Documents;
using EdgeTwin.Telemetry.Signing;

/// <summary>
/// Issue 20, the status back to the box, end to end: the real gateway (acute-hypoxia bed, patient
/// admitted to bed-7) → mosquitto → the ingest as a real process (<c>Ingest:AlarmsOut:StatusToBox</c>
/// on) → the test alarm manager on loopback MLLP, whose PCD-05 accept comes back over the broker as
/// an alarm-status document signed by the ingest key and shows on the box's alarm in its twin. Then,
/// published on the same topic by a stranger: a forged one (another key), one for another gateway,
/// the genuine one replayed, and a malformed one are each refused with their reason (an
/// alarm-status-rejected event in the chain) and change nothing.
/// </summary>
public sealed class AlarmStatusToBoxTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ManagersAccept_ReachesTheBoxSigned_ShownInItsTwin_ForgedOtherGatewayReplayedMalformed_RefusedWithReason()
    {
        using var mosquitto = new Mosquitto();
        await using var manager = new TestAlarmManager { Answer = _ => "AA" };
        var data = Directory.CreateTempSubdirectory("edgetwin-it-ackback-gw-").FullName;
        var ingestData = Directory.CreateTempSubdirectory("edgetwin-it-ackback-ingest-").FullName;
        var (gatewayKey, gatewayAddress) = AcmRig.NewKey(Path.Combine(data, "gateway.key"));
        var (ingestKey, ingestAddress) = AcmRig.NewKey(Path.Combine(ingestData, "ingest.key"));
        var tokenKey = IngestTokens.NewKeyFile(ingestData);
        var httpPort = Mosquitto.FreePort();
        var pcd05Port = Mosquitto.FreePort();
        var statusPort = Mosquitto.FreePort();
        using var ingest = new IngestWorkerProcess(AcmRig.IngestArgs(
            mosquitto, httpPort, ingestData, gatewayAddress, ingestKey, tokenKey, manager.Port, pcd05Port,
            "--Ingest:AlarmsOut:StatusToBox=true", "--Ingest:AlarmsOut:StatusToBoxStatuses=accepted,rejected"));
        await ingest.WaitSubscribedAsync(Patience);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using var cloud = await TopicRecorder.StartAsync(mosquitto.Port, "edgetwin/v1/site-it/gw-it/#", timeout.Token);
        var gateway = await InProcessGateway.StartAsync(InProcessGateway.Args(
            data, mosquitto.Port, "--Simulation:Beds=1", "--Simulation:Scenario=acute-hypoxia", "--Simulation:Speed=4",
            "--Uplink:Receipts=true", $"--Uplink:ReceiptSigners:0={ingestAddress}",
            $"--Gateway:KeyFile={gatewayKey}", $"--Status:Url=http://127.0.0.1:{statusPort}"));
        using var box = BoxAdmin.Client($"http://127.0.0.1:{statusPort}", data);
        Assert.Equal(HttpStatusCode.OK, (await box.PostAsync("/twin/bindings", new StringContent("""{"action":"admit","patient":"MRN-IT-20B","bed":"bed-7","devices":["sim-bed-1"]}""", Encoding.UTF8, "application/json"))).StatusCode);
        var patient = new Pseudonymizer(SiteSecret.Load(Path.Combine(data, "site-secret"))).Pseudonymize("MRN-IT-20B");

        // The SpO2 alarm reaches the manager; while it is open the nurse accepts it on the manager.
        await Wait.UntilAsync(() => manager.Received.Any(m => Condition(m) == "spo2-low"), Patience, "the spo2-low PCD-04 at the manager");
        var raised = manager.Received.First(m => Condition(m) == "spo2-low");
        var alertId = raised.Segments.Single(s => s.Id == "OBR").Get(3);
        var report = "MSH|^~\\&|TEST-AM|HOSP|EDGETWIN|site-it|20261205030000+0000||ORA^R41^ORA_R41|AM-20B-1|P|2.6\r"
            + $"MSA|AA|{raised.ControlId}\rOBR|1||{alertId}^EDGETWIN|196616^MDC_EVT_ALARM^MDC\r"
            + "OBX|1|ST|ALERT_STATUS|1|accepted||||||F|||20261205030000+0000||N-20^Seacole^Mary\r";
        Assert.Contains("\rMSA|AA|AM-20B-1\r", await TestAlarmManager.SendAsync(new IPEndPoint(IPAddress.Loopback, pcd05Port), report, Patience), StringComparison.Ordinal);

        // It comes back over the broker, signed by the ingest key, and shows on the box's alarm.
        await cloud.WaitUntilAsync(() => cloud.Payloads("/alarm-status").Count > 0, timeout.Token);
        var genuine = cloud.Payloads("/alarm-status")[0];
        Assert.True(AlarmStatusDocument.TryOpen(genuine, "gw-it", [ingestAddress], out var sent, out _, out var problem), problem);
        Assert.Equal((alertId, "accepted", "N-20 Mary Seacole", patient, "spo2-low"), (sent!.Alert, sent.Status, sent.Who, sent.Patient, sent.Condition));
        JsonNode? shown = null;
        await Wait.UntilAsync(async () => (shown = Response(await box.GetFromJsonAsync<JsonObject>("/twin"), patient)) is not null, Patience, () => "the accept on the box's spo2-low alarm");
        Assert.Equal(("accepted", "N-20 Mary Seacole", "2026-12-05T03:00:00.000Z", alertId),
            (shown!["status"]!.GetValue<string>(), shown["by"]!.GetValue<string>(), shown["at"]!.GetValue<string>(), shown["alert"]!.GetValue<string>()));
        var (accepted, _) = await cloud.WaitForAsync("/telemetry", r => EventOf(r, "alarm-status") is not null, timeout.Token);
        Assert.Equal((alertId, sent.Seq), (EventOf(accepted, "alarm-status")!["alert"]!.GetValue<string>(), EventOf(accepted, "alarm-status")!["seq"]!.GetValue<long>()));
        // Shown only: the box did not acknowledge its alarm (no acknowledged record reached the manager).
        Assert.DoesNotContain(manager.Received, m => Condition(m) == "spo2-low" && Facet(m, "68483") == "alert-acknowledged");

        // Anyone can publish on the topic: each of these is refused with its reason and changes nothing.
        var topic = "edgetwin/v1/site-it/gw-it/" + AlarmStatusDocument.Subtopic;
        using var stranger = GatewayKey.Generate();
        using var ingestSigner = GatewayKey.LoadFromFile(ingestKey);
        var later = sent with { Seq = sent.Seq + 100, Status = "rejected", Who = "Mallory" };
        await cloud.PublishAsync(topic, later.Seal(stranger), timeout.Token);
        await cloud.PublishAsync(topic, (later with { Gw = "gw-other" }).Seal(ingestSigner), timeout.Token);
        await cloud.PublishAsync(topic, genuine, timeout.Token);
        await cloud.PublishAsync(topic, Encoding.UTF8.GetBytes("""{"doc":"{\"type\":\"alarm-status\"}","sig":"0x00"}"""), timeout.Token);
        foreach (var reason in new[] { "unlisted-signer", "wrong-gw", "replayed", "bad-signature" })
        {
            await cloud.WaitForAsync("/telemetry", r => EventOf(r, "alarm-status-rejected")?["reason"]?.GetValue<string>() == reason, timeout.Token);
        }

        await cloud.PublishAsync(topic, Encoding.UTF8.GetBytes("not a document"), timeout.Token);
        await cloud.WaitForAsync("/telemetry", r => EventOf(r, "alarm-status-rejected")?["reason"]?.GetValue<string>() == "malformed", timeout.Token);

        var still = Response(await box.GetFromJsonAsync<JsonObject>("/twin"), patient)!;
        Assert.Equal(("accepted", "N-20 Mary Seacole"), (still["status"]!.GetValue<string>(), still["by"]!.GetValue<string>()));
        Assert.Single(cloud.Json("/telemetry"), m => EventOf(m.Json, "alarm-status") is not null);

        await gateway.StopAsync();
        await gateway.DisposeAsync();
        Directory.Delete(data, recursive: true);
        Directory.Delete(ingestData, recursive: true);
    }

    private static JsonNode? Response(JsonObject? twin, string patient) => twin?["state"]?["patients"]?[patient]?["alarms"]?["spo2-low"]?["response"];

    private static JsonNode? EventOf(JsonObject record, string type) =>
        record["kind"]?.GetValue<string>() == "event" && record["body"]?["type"]?.GetValue<string>() == type ? record["body"] : null;

    private static string Facet(Hl7Message m, string code) => AcmRig.Facet(m, code);

    private static string Condition(Hl7Message m) => AcmRig.Condition(m);
}
