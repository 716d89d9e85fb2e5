namespace EdgeTwin.Gateway.Tests.Alarms;

using System.Text;
using System.Text.Json.Nodes;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Gateway.Alarms;
using EdgeTwin.Gateway.Privacy;
using EdgeTwin.Gateway.Tests.Twin;
using EdgeTwin.Telemetry.Desired;
using EdgeTwin.Telemetry.Documents;
using EdgeTwin.Telemetry.Signing;
using Microsoft.Extensions.DependencyInjection;

/// <summary>
/// An alarm manager's answer put back to the box (issue 20): a wired gateway (real registrations,
/// twin and alarm engine; recording fakes for the lane, the twin's event sink and the reported
/// publisher) raises spo2-low for an admitted patient; signed alarm-status documents are handed to
/// the handler as the uplink would. Only one by the listed ingest key, for this gateway, newer than
/// the last and naming the open alarm as the ingest names it is shown; nothing silences the alarm.
/// </summary>
public sealed class AlarmStatusHandlerTests : IAsyncDisposable
{
    private const string Gw = "gw-status";
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));
    private readonly GatewayKey _ingest = GatewayKey.Generate();
    private readonly GatewayKey _stranger = GatewayKey.Generate();
    private readonly WiredGateway _g;

    public AlarmStatusHandlerTests()
    {
        _g = new WiredGateway(new Dictionary<string, string?>
        {
            ["Gateway:Name"] = Gw,
            ["Uplink:ReceiptSigners:0"] = _ingest.Address,
        });
    }

    private AlarmStatusHandler Handler => _g.Provider.GetRequiredService<AlarmStatusHandler>();

    [Fact]
    public async Task Accepted_ShownOnThePatientsAlarmInTheReportedTwin_RecordedAsEvent_LocalAlarmStillSounding()
    {
        var (patient, alert) = await RaiseSpo2LowAsync();
        var recordsBefore = _g.Appender.Alarms.Count;
        var annunciation = _g.Engine.Alarms.Annunciation();

        var at = new DateTimeOffset(2026, 11, 27, 16, 0, 30, TimeSpan.Zero);
        Assert.Null(await Handler.HandleAsync(Seal(_ingest, Doc(patient, alert, seq: 7, at: at)), _timeout.Token));

        await _g.Reporter.PublishIfChangedAsync(_timeout.Token);
        var reported = await LatestReportedAsync();
        var response = reported["state"]!["patients"]![patient]!["alarms"]!["spo2-low"]!["response"]!;
        Assert.Equal(("accepted", "N-20 Mary Seacole", "2026-11-27T16:00:30.000Z", alert),
            (response["status"]!.GetValue<string>(), response["by"]!.GetValue<string>(), response["at"]!.GetValue<string>(), response["alert"]!.GetValue<string>()));

        var recorded = Assert.Single(_g.Events.Events, e => e.Type == "alarm-status").Fields;
        Assert.Equal((alert, "accepted", "N-20 Mary Seacole", 7L, "spo2-low", patient),
            (recorded["alert"]!.GetValue<string>(), recorded["status"]!.GetValue<string>(), recorded["by"]!.GetValue<string>(), recorded["seq"]!.GetValue<long>(),
             recorded["condition"]!.GetValue<string>(), recorded["patient"]!.GetValue<string>()));

        // Shown only: the alarm is neither acknowledged nor cleared, and no record was added to the lane.
        var active = Assert.Single(_g.Engine.Alarms.Active(), a => a.Patient == patient && a.Condition == "spo2-low");
        Assert.False(active.Acknowledged);
        Assert.Equal(annunciation, _g.Engine.Alarms.Annunciation());
        Assert.Equal(recordsBefore, _g.Appender.Alarms.Count);
        Assert.Equal(7, Handler.Floor);
    }

    [Fact]
    public async Task NewAlarmAfterTheClear_ShowsNoAnswerOfTheOldOne()
    {
        var (patient, alert) = await RaiseSpo2LowAsync();
        Assert.Null(await Handler.HandleAsync(Seal(_ingest, Doc(patient, alert, seq: 1)), _timeout.Token));
        Assert.NotNull(Reading(patient).Response);

        for (var s = 0; s < 40 && Reading(patient).State != "cleared"; s++)
        {
            _g.Second("mon-1", (StreamCodes.SpO2, 97));
        }

        Assert.Equal("cleared", Reading(patient).State);
        Assert.NotNull(Reading(patient).Response); // the cleared alarm still says who answered it
        for (var s = 0; s < 120 && Reading(patient).State == "cleared"; s++)
        {
            _g.Second("mon-1", (StreamCodes.SpO2, 85));
        }

        Assert.True(Reading(patient).State == "raised", string.Join("; ", _g.Appender.Alarms.Select(a => $"{a.Condition} {a.State}")));
        Assert.Null(Reading(patient).Response);

        // The old alert is closed on the box: an answer naming it is refused.
        Assert.StartsWith("unknown-alarm", await Handler.HandleAsync(Seal(_ingest, Doc(patient, alert, seq: 2)), _timeout.Token), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forged_SignedByAKeyNotListed_RefusedNothingChanged()
    {
        var (patient, alert) = await RaiseSpo2LowAsync();
        var problem = await Handler.HandleAsync(Seal(_stranger, Doc(patient, alert, seq: 1)), _timeout.Token);
        Assert.Equal($"unlisted-signer: signed by {_stranger.Address}", problem);
        AssertNothingShown(patient, "unlisted-signer");
    }

    [Fact]
    public async Task ForAnotherGateway_RefusedNothingChanged()
    {
        var (patient, alert) = await RaiseSpo2LowAsync();
        Assert.Equal("wrong-gw", await Handler.HandleAsync(Seal(_ingest, Doc(patient, alert, seq: 1, gw: "gw-other")), _timeout.Token));
        AssertNothingShown(patient, "wrong-gw");
    }

    [Fact]
    public async Task Replayed_TheSameOrAnOlderSeqAfterANewerOne_RefusedTheNewerStays()
    {
        var (patient, alert) = await RaiseSpo2LowAsync();
        var accepted = Seal(_ingest, Doc(patient, alert, seq: 5));
        Assert.Null(await Handler.HandleAsync(accepted, _timeout.Token));

        Assert.Equal("replayed: seq 5 is not above 5, the last accepted", await Handler.HandleAsync(accepted, _timeout.Token));
        Assert.Equal("replayed: seq 4 is not above 5, the last accepted", await Handler.HandleAsync(Seal(_ingest, Doc(patient, alert, seq: 4, status: "delivered")), _timeout.Token));

        Assert.Equal("accepted", Reading(patient).Response!.Status);
        Assert.Single(_g.Events.Events, e => e.Type == "alarm-status");
        Assert.Single(_g.Events.Events, e => e.Type == "alarm-status-rejected" && e.Fields["reason"]!.GetValue<string>() == "replayed");
    }

    [Fact]
    public async Task UnknownAlarm_OrTheAlarmsKeyNotMatching_RefusedNothingChanged()
    {
        var (patient, alert) = await RaiseSpo2LowAsync();
        Assert.Equal($"unknown-alarm: no alarm {Gw}.aaaaaaaaaaaa.999 is open on this box", await Handler.HandleAsync(Seal(_ingest, Doc(patient, $"{Gw}.aaaaaaaaaaaa.999", seq: 1)), _timeout.Token));
        Assert.StartsWith("alarm-mismatch: ", await Handler.HandleAsync(Seal(_ingest, Doc(patient, alert, seq: 2, condition: "hr-low")), _timeout.Token), StringComparison.Ordinal);
        AssertNothingShown(patient, "unknown-alarm");
        Assert.Contains(_g.Events.Events, e => e.Type == "alarm-status-rejected" && e.Fields["reason"]!.GetValue<string>() == "alarm-mismatch");
    }

    [Theory]
    [InlineData("not json at all", false)]
    [InlineData("""{"doc":"{}"}""", false)]
    [InlineData("""{"type":"alarm-status","gw":"gw-status","seq":1,"issued":"2026-11-27T16:00:00.000Z","alert":"x","patient":"p","device":"mon-1","condition":"spo2-low","status":"silenced","who":null,"at":"2026-11-27T16:00:00.000Z"}""", true)]
    [InlineData("""{"type":"alarm-status","gw":"gw-status","seq":-1,"issued":"2026-11-27T16:00:00.000Z","alert":"x","patient":"p","device":"mon-1","condition":"spo2-low","status":"accepted","who":null,"at":"2026-11-27T16:00:00.000Z"}""", true)]
    [InlineData("""{"type":"alarm-status","gw":"gw-status","seq":1,"issued":"yesterday","alert":"x","patient":"p","device":"mon-1","condition":"spo2-low","status":"accepted","who":null,"at":"2026-11-27T16:00:00.000Z"}""", true)]
    [InlineData("""{"type":"desired","gw":"gw-status","seq":1,"issued":"2026-11-27T16:00:00.000Z","alert":"x","patient":"p","device":"mon-1","condition":"spo2-low","status":"accepted","who":null,"at":"2026-11-27T16:00:00.000Z"}""", true)]
    [InlineData("""{"type":"alarm-status","gw":"gw-status","seq":1,"seq":2,"issued":"2026-11-27T16:00:00.000Z","alert":"x","patient":"p","device":"mon-1","condition":"spo2-low","status":"accepted","who":null,"at":"2026-11-27T16:00:00.000Z"}""", true)]
    public async Task Malformed_RefusedNothingChanged(string body, bool signed)
    {
        var (patient, _) = await RaiseSpo2LowAsync();
        var payload = signed ? SignedEnvelope.Seal(Encoding.UTF8.GetBytes(body), _ingest) : Encoding.UTF8.GetBytes(body);
        Assert.Equal("malformed", await Handler.HandleAsync(payload, _timeout.Token));
        AssertNothingShown(patient, "malformed");
    }

    [Fact]
    public async Task AFloodOfRefusals_CountedEachTime_OneEventAMinutePerReason_ThenTheCountHeldBack()
    {
        var (patient, alert) = await RaiseSpo2LowAsync();
        for (var i = 0; i < 5; i++)
        {
            Assert.StartsWith("unlisted-signer", await Handler.HandleAsync(Seal(_stranger, Doc(patient, alert, seq: i + 1)), _timeout.Token), StringComparison.Ordinal);
        }

        Assert.Single(_g.Events.Events, e => e.Type == "alarm-status-rejected");
        _g.Time.Advance(TimeSpan.FromMinutes(1));
        await Handler.HandleAsync(Seal(_stranger, Doc(patient, alert, seq: 9)), _timeout.Token);
        var second = _g.Events.Events.Where(e => e.Type == "alarm-status-rejected").Last().Fields;
        Assert.Equal(4, second["heldBack"]!.GetValue<long>());
        Assert.Null(Reading(patient).Response);
    }

    public async ValueTask DisposeAsync()
    {
        await _g.DisposeAsync();
        _ingest.Dispose();
        _stranger.Dispose();
        _timeout.Dispose();
    }

    /// <summary>Admits MRN-1 to bed-1 on mon-1 and keeps SpO2 at 85 % until spo2-low is raised; its alert id by the documented rule.</summary>
    private async Task<(string Patient, string Alert)> RaiseSpo2LowAsync()
    {
        _g.Controller.Twin.RegisterDevice(TwinFixture.Device("mon-1", StreamCodes.SpO2, StreamCodes.HeartRate));
        await _g.Controller.StartAsync(_timeout.Token);
        Assert.Null(await _g.Controller.BindLocalAsync(BindingAction.Admit, "MRN-1", "bed-1", ["mon-1"], null, _timeout.Token));
        var patient = _g.Provider.GetRequiredService<Pseudonymizer>().Pseudonymize("MRN-1");
        for (var s = 0; s < 40 && !_g.Appender.Alarms.Any(a => a.Condition == "spo2-low"); s++)
        {
            _g.Second("mon-1", (StreamCodes.SpO2, 85));
        }

        // The recording lane numbers its records 1, 2, ... in epoch "aaa…": the raise's seq names the alert.
        var seq = _g.Appender.Alarms.ToList().FindIndex(a => a.Condition == "spo2-low" && a.State == "raised") + 1;
        Assert.True(seq > 0, "spo2-low was not raised");
        return (patient, $"{Gw}.aaaaaaaaaaaa.{seq}");
    }

    private static AlarmStatusDocument Doc(string patient, string alert, long seq, string status = "accepted", string gw = Gw, string condition = "spo2-low", DateTimeOffset? at = null) =>
        new(gw, seq, new DateTimeOffset(2026, 11, 27, 16, 1, 0, TimeSpan.Zero), alert, patient, "mon-1", condition, status, "N-20 Mary Seacole",
            at ?? new DateTimeOffset(2026, 11, 27, 16, 0, 30, TimeSpan.Zero));

    private static byte[] Seal(GatewayKey key, AlarmStatusDocument doc) => doc.Seal(key);

    private Gateway.Twin.Model.AlarmReading Reading(string patient) =>
        _g.Controller.Twin.Snapshot().Patients.Single(p => p.Patient == patient).Alarms.Single(a => a.Condition == "spo2-low");

    private async Task<JsonObject> LatestReportedAsync()
    {
        var latest = await _g.Publisher.NextAsync();
        while (_g.Publisher.TryNext(out var next))
        {
            latest = next!;
        }

        return latest;
    }

    /// <summary>The alarm shows no answer, the floor is untouched, no alarm-status event, and the refusal was recorded under its reason.</summary>
    private void AssertNothingShown(string patient, string reason)
    {
        Assert.Null(Reading(patient).Response);
        Assert.Equal(-1, Handler.Floor);
        Assert.DoesNotContain(_g.Events.Events, e => e.Type == "alarm-status");
        Assert.Contains(_g.Events.Events, e => e.Type == "alarm-status-rejected" && e.Fields["reason"]!.GetValue<string>() == reason);
    }
}
