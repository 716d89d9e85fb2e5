namespace EdgeTwin.Ingest.Tests.Integration;

using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Telemetry.Capture;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Signing;
using EdgeTwin.Telemetry.Verification;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

/// <summary>One ingest with its embedded LiteDB store behind a real mosquitto, driven over MQTT and read over HTTP.</summary>
[Collection(PostgresCollection.Name)]
public sealed class EndToEndTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly MosquittoFixture _broker;

    public EndToEndTests(MosquittoFixture broker) => _broker = broker;

    [Fact]
    public async System.Threading.Tasks.Task ApiChains_MatchAnIndependentVerifyOfTheCapture_ReceiptsShrinkTheOutbox_FhirServesTheObservations()
    {
        var now = DateTimeOffset.UtcNow;
        var gateways = Enumerable.Range(1, 3).Select(i => new SimulatedGateway("ward7", $"e2e-{i}", now, policy: new CheckpointPolicy { MaxRecords = 10, MaxDelay = TimeSpan.FromHours(1) })).ToList();
        await using var ingest = await InProcessIngest.StartAsync(_broker.Uri, gateways.Select(g => $"--Ingest:Enrolled:{g.Gw}={g.Key.Address}"));
        await using var mqtt = await TestMqttClient.ConnectAsync(_broker.Port);
        var capture = new StringWriter();
        foreach (var g in gateways)
        {
            mqtt.Track(g);
            g.ProduceObs(25, now);
            g.ProduceAlarm(now);
            g.Seal(now);
            foreach (var r in g.All)
            {
                var topic = SimulatedGateway.Topic(TestMqttClient.Prefix, g.Site, g.Gw, r.Lane);
                CaptureFile.Write(capture, topic, r.Payload);
                await mqtt.PublishAsync(topic, r.Payload);
            }
        }

        // Receipts make each gateway's outbox shrink to what no receipt can cover yet: the two final checkpoints.
        await InProcessIngest.EventuallyAsync(() => System.Threading.Tasks.Task.FromResult(gateways.All(g => g.OutboxCount == 2)), Wait,
            () => string.Join(", ", gateways.Select(g => $"{g.Gw}: {g.OutboxCount}")));

        var verifier = new StreamVerifier(new VerifierOptions());
        foreach (var entry in CaptureFile.Read(new StringReader(capture.ToString())))
        {
            verifier.Add(entry.Payload);
        }

        var chains = await ingest.GetArrayAsync("/api/chains");
        var independent = verifier.Report();
        Assert.Equal(independent.Count, chains.Count);
        foreach (var report in independent)
        {
            var c = chains.Single(n => (string)n!["gw"]! == report.Chain.Gw && (string)n!["epoch"]! == report.Chain.Epoch)!;
            Assert.Equal(
                (report.Received, report.Verified, report.Pending, report.Missing, report.Forks, report.BadSigs, report.VerifiedThrough),
                ((long)c["received"]!, (long)c["verified"]!, (long)c["pending"]!, (long)c["missing"]!, (long)c["forks"]!, (long)c["badSigs"]!, (long)c["verifiedThrough"]!));
        }

        var g1 = gateways[0];
        var response = await ingest.Http.GetAsync($"/api/patients/{g1.Patient}/observations?since={Uri.EscapeDataString(now.AddMinutes(-1).ToString("O"))}");
        Assert.Equal("application/fhir+json", response.Content.Headers.ContentType!.MediaType);
        var bundle = JsonSerializer.Deserialize<Bundle>(await response.Content.ReadAsStringAsync(), new JsonSerializerOptions().ForFhir())!;
        Assert.Equal(25, bundle.Total);
        Assert.All(bundle.Entry.Select(e => e.Resource).OfType<Observation>(), o => Assert.Equal("8867-4", o.Code.Coding[0].Code));
        Assert.NotEmpty(bundle.Entry.Select(e => e.Resource).OfType<Provenance>());

        var twin = (await ingest.Http.GetFromJsonAsync<JsonObject>($"/api/twins/{g1.Gw}"))!;
        Assert.NotNull(twin["patients"]![g1.Patient]!["vitals"]!["loinc:8867-4"]);
        Assert.Single(twin["patients"]![g1.Patient]!["alarms"]!.AsArray());
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, (await ingest.Http.GetAsync($"/api/patients/{g1.Patient}/observations?since=yesterday")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await ingest.Http.GetAsync("/api/twins/nobody")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, (await ingest.Http.GetAsync("/api/twins/Not_A_Name")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, (await ingest.Http.GetAsync("/api/alerts?limit=0")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await ingest.Http.GetAsync("/api/patients/p-nobody/twin")).StatusCode);
        var patientTwin = (await ingest.Http.GetFromJsonAsync<JsonObject>($"/api/patients/{g1.Patient}/twin"))!;
        Assert.Equal(g1.Gw, (string)patientTwin["gateways"]![0]!);
        gateways.ForEach(g => g.Dispose());
    }

    [Fact]
    public async System.Threading.Tasks.Task TamperingThroughTheBroker_RaisesTheRightAlerts_AndNoneBecomesData()
    {
        var now = DateTimeOffset.UtcNow;
        using var g = new SimulatedGateway("ward7", "tamper-1", now, policy: new CheckpointPolicy { MaxRecords = 10_000, MaxDelay = TimeSpan.FromHours(1) });
        using var forger = GatewayKey.Generate();
        await using var ingest = await InProcessIngest.StartAsync(_broker.Uri, [$"--Ingest:Enrolled:{g.Gw}={g.Key.Address}"]);
        await using var mqtt = await TestMqttClient.ConnectAsync(_broker.Port);
        mqtt.Track(g);
        async System.Threading.Tasks.Task Publish(IEnumerable<ChainRecord> records)
        {
            foreach (var r in records)
            {
                await mqtt.PublishAsync(g, r);
            }
        }

        async System.Threading.Tasks.Task<bool> HasAlert(string kind) =>
            (await ingest.GetArrayAsync("/api/alerts")).Any(a => (string)a!["kind"]! == kind);

        g.ProduceObs(5, now);
        g.Seal(now);
        await Publish(g.All);
        await InProcessIngest.EventuallyAsync(() => System.Threading.Tasks.Task.FromResult(g.ReceiptedThrough(Lane.Telemetry) >= 5), Wait, () => "first receipt");

        // 1. A changed byte in a delivered record.
        var victim = g.All.First(r => r.Kind == "obs");
        await mqtt.PublishAsync(SimulatedGateway.Topic(TestMqttClient.Prefix, g.Site, g.Gw, Lane.Telemetry), Tamper.ChangeOneByte(victim.Payload));
        await InProcessIngest.EventuallyAsync(() => HasAlert("fork"), Wait, () => "fork alert");

        // 2. A forged checkpoint injected ahead of the gateway's own.
        var pending = g.ProduceObs(2, now);
        await Publish(pending);
        var forged = Tamper.ForgeCheckpoint(g.Telemetry, forger, now);
        await mqtt.PublishAsync(g, forged);
        await InProcessIngest.EventuallyAsync(() => HasAlert("bad-signature"), Wait, () => "bad-signature alert");
        await Publish(g.Seal(now));
        await Publish(g.ProduceObs(3, now));
        await Publish(g.Seal(now));
        var lastSeq = g.Telemetry.State.Seq;
        await InProcessIngest.EventuallyAsync(() => System.Threading.Tasks.Task.FromResult(g.ReceiptedThrough(Lane.Telemetry) == lastSeq - 1), Wait, () => $"receipted {g.ReceiptedThrough(Lane.Telemetry)} of {lastSeq - 1}");

        // 3. An old record replayed.
        await mqtt.PublishAsync(g, g.All[0]);
        await InProcessIngest.EventuallyAsync(() => HasAlert("replay"), Wait, () => "replay alert");

        var data = await ingest.Store.VerifiedRecordsAsync(new RecordQuery(null, g.Gw, null, null, 10_000), default);
        var genuine = g.All.Where(r => r.Lane == Lane.Telemetry && r.Seq < lastSeq).Concat(g.All.Where(r => r.Lane == Lane.Alarm && r.Seq < g.Alarm.State.Seq))
            .Select(r => r.Hash).Order().ToList();
        Assert.Equal(genuine, data.Select(r => r.Hash).Order().ToList());
        var bundle = JsonSerializer.Deserialize<Bundle>(await ingest.Http.GetStringAsync($"/api/patients/{g.Patient}/observations"), new JsonSerializerOptions().ForFhir())!;
        Assert.Equal(10, bundle.Total);
        var chain = (await ingest.GetArrayAsync("/api/chains")).Single(c => (string)c!["lane"]! == "telemetry")!;
        // The forged checkpoint was a bad signature on the chain as it linked then (the alert above); the
        // gateway's own checkpoint at that seq, and the next one covering it, showed it to be a stranger's.
        Assert.Equal((0L, 1L, lastSeq - 1), ((long)chain["badSigs"]!, (long)chain["unsignedBranch"]!, (long)chain["verifiedThrough"]!));
        var evidence = await ingest.GetArrayAsync("/api/evidence");
        Assert.Contains(evidence, e => Convert.FromBase64String((string)e!["b64"]!).SequenceEqual(forged.Payload));
    }
}
