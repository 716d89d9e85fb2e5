namespace EdgeTwin.Integration.Tests.Twin;

using System.Globalization;
using System.Text.Json.Nodes;
using EdgeTwin.Gateway.Hosting;
using EdgeTwin.Gateway.Privacy;
using EdgeTwin.Gateway.Twin;
using EdgeTwin.Integration.Tests.Support;
using EdgeTwin.Telemetry.Desired;
using EdgeTwin.Telemetry.Signing;

/// <summary>
/// Issue 5's proof, end to end through a real mosquitto and the real gateway host (simulated ward):
/// an operator-signed document changes the checkpoint cadence and withdraws one patient's waveform
/// consent; the reported twin shows it (how fast is a benchmark's question, not this test's), the chain holds the events, and no waveform
/// sample of that patient taken afterwards is published. A forged document is refused, reported and
/// recorded, and changes nothing.
/// </summary>
public sealed class DesiredStateProofTests : IAsyncLifetime
{
    private const string Base = "edgetwin/v1/sim-ward/sim-gw";

    // TEST KEYS ONLY: 32 bytes of 0x44 (the operator) and 0x55 (a forger).
    private readonly GatewayKey _operator = GatewayKey.FromPrivateKeyHex("0x" + new string('4', 64));
    private readonly GatewayKey _forger = GatewayKey.FromPrivateKeyHex("0x" + new string('5', 64));
    private readonly string _directory = Directory.CreateTempSubdirectory("edgetwin-twin-it-").FullName;
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(90));
    private Mosquitto _broker = null!;
    private TopicRecorder _cloud = null!;
    private Microsoft.AspNetCore.Builder.WebApplication _gateway = null!;

    private CancellationToken Ct => _timeout.Token;

    public async Task InitializeAsync()
    {
        _broker = new Mosquitto();
        _cloud = await TopicRecorder.StartAsync(_broker.Port, Base + "/#", Ct);
        _gateway = GatewayHost.CreateBuilder(
        [
            $"--Gateway:DataDirectory={Path.Combine(_directory, "data")}",
            "--Gateway:Clock=synced",
            $"--Uplink:Broker=mqtt://127.0.0.1:{_broker.Port}",
            "--Status:Url=http://127.0.0.1:0",
            "--Simulation:Beds=2",
            $"--Twin:OperatorAddresses:0={_operator.Address}",
            "--Twin:ReportInterval=00:00:05",
            "--Logging:LogLevel:Default=Warning",
        ]).Build();
        _gateway.MapTwin();
        await _gateway.StartAsync(Ct);
    }

    [Fact]
    public async Task SignedDocument_ChangesCadenceAndWithdrawsWaveforms_ForgedOneIsRefused()
    {
        await _cloud.WaitForAsync("/twin/reported", _ => true, Ct);
        await PublishDesiredAsync(_operator, 1, """{ "bindings": [ { "action": "admit", "patient": "MRN-000123", "bed": "bed-1", "devices": ["sim-bed-1"] } ] }""");
        await _cloud.WaitForAsync("/twin/reported", d => Applied(d) == 1, Ct);
        var patient = new Pseudonymizer(SiteSecret.Load(Path.Combine(_directory, "data", "site-secret"))).Pseudonymize("MRN-000123");
        await _cloud.WaitForAsync("/telemetry", r => IsWaveformOf(r, patient), Ct);

        await PublishDesiredAsync(_operator, 2, """{ "checkpoint": { "maxRecords": 100000, "maxDelayMs": 3000 }, "consent": { "MRN-000123": { "waveforms": false } } }""");
        var (reported, _) = await _cloud.WaitForAsync("/twin/reported", d => Applied(d) == 2, Ct);

        Assert.Equal(3000, reported["state"]!["config"]!["checkpoint"]!["maxDelayMs"]!.GetValue<int>());
        Assert.False(reported["state"]!["patients"]![patient]!["consent"]!["waveforms"]!.GetValue<bool>());
        Assert.Equal("bed-1", reported["state"]!["patients"]![patient]!["bed"]!.GetValue<string>());

        var (applied, _) = await _cloud.WaitForAsync("/telemetry", r => EventOf(r, "desired-applied")?["version"]?.GetValue<long>() == 2, Ct);
        var (consent, _) = await _cloud.WaitForAsync("/telemetry", r => EventOf(r, "consent-changed")?["patient"]?.GetValue<string>() == patient, Ct);
        Assert.Equal("waveforms", consent["body"]!["stream"]!.GetValue<string>());
        Assert.False(consent["body"]!["granted"]!.GetValue<bool>());
        var withdrawn = Ts(consent["ts"]);

        // The new cadence (was: 256 records or 1 s): checkpoints now come about 3 s apart. Wait for
        // three after the change, so that at least two more seconds of the ward's records are in.
        var appliedSeq = applied["seq"]!.GetValue<long>();
        List<JsonObject> CheckpointsAfterChange() => [.. _cloud.Json("/telemetry").Select(m => m.Json)
            .Where(r => r["kind"]!.GetValue<string>() == "checkpoint" && r["seq"]!.GetValue<long>() > appliedSeq)
            .DistinctBy(r => r["seq"]!.GetValue<long>()).OrderBy(r => r["seq"]!.GetValue<long>())];
        await _cloud.WaitUntilAsync(() => CheckpointsAfterChange().Count >= 3, Ct);
        var checkpoints = CheckpointsAfterChange();
        Assert.All(checkpoints.Zip(checkpoints.Skip(1)), pair => Assert.True(
            Ts(pair.Second["ts"]) - Ts(pair.First["ts"]) >= TimeSpan.FromSeconds(2.9),
            $"checkpoints at {pair.First["ts"]} and {pair.Second["ts"]}"));

        var records = _cloud.Json("/telemetry").Select(m => m.Json).ToList();
        Assert.True(records.Max(r => Ts(r["ts"])) >= withdrawn.AddSeconds(2));
        var lateWaveforms = records.Where(r => IsWaveformOf(r, patient) && LastSampleAt(r["body"]!) >= withdrawn).ToList();
        Assert.Empty(lateWaveforms);
        Assert.Contains(records, r => IsObsOf(r, patient) && r["body"]!["code"]!.GetValue<string>().StartsWith("loinc:", StringComparison.Ordinal) && Ts(r["body"]!["t0"]) >= withdrawn);
        Assert.Contains(records, r => r["body"]?["device"]?.GetValue<string>() == "sim-bed-2" && r["body"]!["patient"]!.GetValue<string>() == "unattributed");
        Assert.DoesNotContain(records, r => r.ToJsonString().Contains("MRN-000123", StringComparison.Ordinal));

        // A forged document: refused with its reason in the twin and in the chain; nothing changes.
        await PublishDesiredAsync(_forger, 3, """{ "checkpoint": { "maxRecords": 8 }, "consent": { "MRN-000123": { "waveforms": true } } }""");
        var (refused, _) = await _cloud.WaitForAsync("/twin/reported", d => d["state"]!["desired"]!["lastRejected"]?["reason"]?.GetValue<string>() == DesiredEnvelope.NotSignedByOperator, Ct);
        await _cloud.WaitForAsync("/telemetry", r => EventOf(r, "desired-rejected")?["reason"]?.GetValue<string>() == DesiredEnvelope.NotSignedByOperator, Ct);
        Assert.Equal(2, Applied(refused));
        Assert.Equal(100000, refused["state"]!["config"]!["checkpoint"]!["maxRecords"]!.GetValue<int>());
        Assert.False(refused["state"]!["patients"]![patient]!["consent"]!["waveforms"]!.GetValue<bool>());
    }

    [Fact]
    public async Task LocalBindingCommand_AdmitsOnceRefusesBadInputAndIsAnEvent()
    {
        using var http = BoxAdmin.Client(_gateway.Urls.First(), Path.Combine(_directory, "data"));

        var admitted = await http.PostAsync("/twin/bindings", Json("""{ "action": "admit", "patient": "MRN-000456", "bed": "bed-2", "devices": ["sim-bed-2"] }"""), Ct);
        var twice = await http.PostAsync("/twin/bindings", Json("""{ "action": "admit", "patient": "MRN-000456", "bed": "bed-2", "devices": ["sim-bed-2"] }"""), Ct);
        var badPatient = await http.PostAsync("/twin/bindings", Json("""{ "action": "admit", "patient": "MRN 456", "bed": "bed-2", "devices": ["sim-bed-2"] }"""), Ct);
        var unknownDevice = await http.PostAsync("/twin/bindings", Json("""{ "action": "admit", "patient": "MRN-000789", "bed": "bed-9", "devices": ["sim-bed-9"] }"""), Ct);
        var twin = JsonNode.Parse(await http.GetStringAsync("/twin", Ct))!;

        var patient = new Pseudonymizer(SiteSecret.Load(Path.Combine(_directory, "data", "site-secret"))).Pseudonymize("MRN-000456");
        Assert.Equal(System.Net.HttpStatusCode.OK, admitted.StatusCode);
        var reply = JsonNode.Parse(await admitted.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal(patient, reply["patient"]!.GetValue<string>());
        Assert.Equal("bed-2", reply["bed"]!.GetValue<string>());
        Assert.Equal(System.Net.HttpStatusCode.Conflict, twice.StatusCode);
        Assert.Contains("already-admitted", await twice.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, badPatient.StatusCode);
        Assert.Contains("invalid-value:patient", await badPatient.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.Conflict, unknownDevice.StatusCode);
        Assert.Equal("bed-2", twin["state"]!["patients"]![patient]!["bed"]!.GetValue<string>());
        Assert.Single(twin["state"]!["patients"]!.AsObject());
        var (admission, _) = await _cloud.WaitForAsync("/telemetry", r => EventOf(r, "patient-admitted")?["patient"]?.GetValue<string>() == patient, Ct);
        Assert.Equal("local", admission["body"]!["source"]!.GetValue<string>());
        await _cloud.WaitForAsync("/telemetry", r => IsObsOf(r, patient) && r["body"]!["device"]!.GetValue<string>() == "sim-bed-2", Ct);
        Assert.Single(_cloud.Json("/telemetry"), m => EventOf(m.Json, "patient-admitted") is not null);
    }

    public async Task DisposeAsync()
    {
        await _gateway.StopAsync(CancellationToken.None);
        await _gateway.DisposeAsync();
        await _cloud.DisposeAsync();
        _broker.Dispose();
        _operator.Dispose();
        _forger.Dispose();
        _timeout.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    private static long Applied(JsonObject reported) => reported["state"]!["desired"]!["applied"]!.GetValue<long>();

    private static JsonNode? EventOf(JsonObject record, string type) =>
        record["kind"]?.GetValue<string>() == "event" && record["body"]?["type"]?.GetValue<string>() == type ? record["body"] : null;

    private static bool IsObsOf(JsonObject record, string patient) =>
        record["kind"]?.GetValue<string>() == "obs" && record["body"]!["patient"]!.GetValue<string>() == patient;

    private static bool IsWaveformOf(JsonObject record, string patient) =>
        IsObsOf(record, patient) && record["body"]!["code"]!.GetValue<string>().StartsWith("mdc:", StringComparison.Ordinal);

    private static DateTimeOffset LastSampleAt(JsonNode body) =>
        Ts(body["t0"]).AddMilliseconds(body["dt"]!.GetValue<double>() * (body["v"]!.AsArray().Count - 1));

    private static DateTimeOffset Ts(JsonNode? node) => DateTimeOffset.Parse(node!.GetValue<string>(), CultureInfo.InvariantCulture);

    private async Task PublishDesiredAsync(GatewayKey signer, long version, string state) =>
        await _cloud.PublishRetainedAsync(
            Base + "/twin/desired",
            DesiredEnvelope.Sign(new DesiredDocument("sim-gw", version, DateTimeOffset.UtcNow, (JsonObject)JsonNode.Parse(state)!), signer),
            Ct);
}
