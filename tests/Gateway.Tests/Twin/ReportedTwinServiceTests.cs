namespace EdgeTwin.Gateway.Tests.Twin;

using System.Text.Json.Nodes;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Gateway.Twin;
using EdgeTwin.Gateway.Twin.Model;
using EdgeTwin.Gateway.Twin.Reported;
using EdgeTwin.Telemetry.Desired;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

/// <summary>
/// Most tests turn the reporter loop by hand (<see cref="ReportedTwinService.StepAsync"/>) so fake
/// time and the loop cannot race; two run the hosted loop itself.
/// </summary>
public sealed class ReportedTwinServiceTests : IDisposable
{
    private readonly TwinFixture _f = new();
    private readonly RecordingPublisher _publisher = new();
    private readonly FixedUplink _uplink = new();
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));
    private ReportedTwinService _service;

    public ReportedTwinServiceTests()
    {
        _service = NewService();
    }

    private CancellationToken Ct => _timeout.Token;

    [Fact]
    public async Task HostedStart_PublishesVersionOneWithHeadsAndDevices()
    {
        await _service.StartAsync(Ct);
        var document = await _publisher.NextAsync();
        await _service.StopAsync(Ct);

        Assert.Equal("ward7-bed12", document["gw"]!.GetValue<string>());
        Assert.Equal(1, document["version"]!.GetValue<long>());
        Assert.Equal("2026-11-27T16:00:00.000Z", document["ts"]!.GetValue<string>());
        Assert.Equal(new string('1', 64), document["heads"]!["telemetry"]!["hash"]!.GetValue<string>());
        Assert.Equal(0, document["heads"]!["alarm"]!["seq"]!.GetValue<long>());
        Assert.Equal("ok", document["state"]!["devices"]!["mon-1"]!["health"]!.GetValue<string>());
        Assert.Equal(256, document["state"]!["config"]!["checkpoint"]!["maxRecords"]!.GetValue<int>());
        Assert.True(document["state"]!["uplink"]!["connected"]!.GetValue<bool>());
    }

    [Fact]
    public async Task HostedAlarmStateChange_IsPublishedAtOnceWithoutWaitingForTheInterval()
    {
        await _service.StartAsync(Ct);
        await _publisher.NextAsync();
        await _f.Controller.BindLocalAsync(BindingAction.Admit, "MRN-1", "bed-1", ["mon-1"], null, Ct);
        await _publisher.NextAsync();
        var patient = _f.Pseudonym("MRN-1");

        _f.Controller.ObserveAlarm(patient, "spo2-low", "raised", "high", _f.Time.GetUtcNow());
        var document = await _publisher.NextAsync();
        await _service.StopAsync(Ct);

        Assert.Equal(3, document["version"]!.GetValue<long>());
        Assert.Equal("raised", document["state"]!["patients"]![patient]!["alarms"]!["spo2-low"]!["state"]!.GetValue<string>());
        Assert.Equal("2026-11-27T16:00:00.000Z", document["ts"]!.GetValue<string>());
    }

    [Fact]
    public async Task Change_IsPublishedAtMostOncePerInterval()
    {
        await _f.Controller.StartAsync(Ct);
        await _service.StepAsync(Ct);
        await _f.Controller.BindLocalAsync(BindingAction.Admit, "MRN-1", "bed-1", ["mon-1"], null, Ct);
        await _service.StepAsync(Ct);

        _f.Time.Advance(TimeSpan.FromSeconds(1));
        _f.Twin.Observe(new Sample("mon-1", TwinFixture.Hr, _f.Time.GetUtcNow(), 64));
        var wait1 = await _service.StepAsync(Ct);
        _f.Time.Advance(TimeSpan.FromSeconds(3));
        var wait2 = await _service.StepAsync(Ct);
        var countBefore = _publisher.Count;
        _f.Time.Advance(TimeSpan.FromSeconds(1));
        await _service.StepAsync(Ct);

        Assert.Equal(TimeSpan.FromSeconds(4), wait1);
        Assert.Equal(TimeSpan.FromSeconds(1), wait2);
        Assert.Equal(2, countBefore);
        Assert.Equal(1, (await _publisher.NextAsync())["version"]!.GetValue<long>());
        Assert.Equal(2, (await _publisher.NextAsync())["version"]!.GetValue<long>());
        var vitals = await _publisher.NextAsync();
        Assert.Equal(3, vitals["version"]!.GetValue<long>());
        Assert.Equal("2026-11-27T16:00:05.000Z", vitals["ts"]!.GetValue<string>());
        var patient = _f.Pseudonym("MRN-1");
        Assert.Equal(64, vitals["state"]!["patients"]![patient]!["vitals"]!["loinc:8867-4"]!["v"]!.GetValue<double>());
        Assert.Equal("valid", vitals["state"]!["patients"]![patient]!["vitals"]!["loinc:8867-4"]!["quality"]!.GetValue<string>());
        Assert.Equal("bed-1", vitals["state"]!["patients"]![patient]!["bed"]!.GetValue<string>());
    }

    [Fact]
    public async Task TwinTooLargeToSign_IsNotPublishedNorVersioned_AndLoggedAtMostEveryTenMinutes()
    {
        var logger = new Microsoft.Extensions.Logging.Testing.FakeLogger<ReportedTwinService>();
        _service = NewService(logger);
        await _f.Controller.StartAsync(Ct);
        for (var i = 0; i < 600; i++)
        {
            _f.Twin.RegisterDevice(TwinFixture.Device($"monitor-{i:D4}-ward7-bay3", TwinFixture.Hr, TwinFixture.Spo2, TwinFixture.Ecg));
        }

        var version = _f.Twin.Control.ReportedVersion;
        await _service.StepAsync(Ct);
        _f.Time.Advance(TimeSpan.FromMinutes(1));
        _f.Twin.Observe(new Sample("mon-1", TwinFixture.Hr, _f.Time.GetUtcNow(), 64)); // new content
        await _service.StepAsync(Ct);
        var lines = logger.Collector.GetSnapshot().Where(r => r.Id.Id == 5012).ToList();
        _f.Time.Advance(TimeSpan.FromMinutes(10));
        _f.Twin.Observe(new Sample("mon-1", TwinFixture.Hr, _f.Time.GetUtcNow(), 65));
        await _service.StepAsync(Ct);

        Assert.Equal(0, _publisher.Attempts);
        Assert.Equal(version, _f.Twin.Control.ReportedVersion);
        var first = Assert.Single(lines);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Error, first.Level);
        Assert.Matches("signed it would be [0-9]{5,} bytes, over the 65536 bytes a signed document may have \\(602 devices\\)", first.Message);
        var later = logger.Collector.GetSnapshot().Where(r => r.Id.Id == 5012).ToList();
        Assert.Equal(2, later.Count);
        Assert.EndsWith("(held back since the last such line: 1)", later[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnchangedTwin_IsNotPublishedAgain()
    {
        await _f.Controller.StartAsync(Ct);
        await _service.StepAsync(Ct);
        _f.Time.Advance(TimeSpan.FromSeconds(30));
        await _service.StepAsync(Ct);

        Assert.Equal(1, _publisher.Attempts);
    }

    [Fact]
    public async Task WithheldConsent_KeepsVitalsOutOfTheReportedTwin()
    {
        await _f.Controller.StartAsync(Ct);
        await _f.Controller.BindLocalAsync(BindingAction.Admit, "MRN-1", "bed-1", ["mon-1"], null, Ct);
        _f.Twin.Observe(new Sample("mon-1", TwinFixture.Spo2, _f.Time.GetUtcNow(), 93));
        _f.Controller.ObserveScore(_f.Pseudonym("MRN-1"), new ScoreReading("news2", 5, _f.Time.GetUtcNow(), "medium", new Dictionary<string, string>()));

        Assert.Null(await _f.Controller.ApplyDesiredAsync(1, DesiredJson.Settings("""{ "consent": { "MRN-1": { "vitals": false, "alarms": false } } }"""), Ct));
        await _service.StepAsync(Ct);
        var document = await _publisher.NextAsync();

        var entry = document["state"]!["patients"]![_f.Pseudonym("MRN-1")]!;
        Assert.Null(entry["vitals"]);
        Assert.Null(entry["scores"]);
        Assert.Null(entry["alarms"]);
        Assert.False(entry["consent"]!["vitals"]!.GetValue<bool>());
        Assert.True(entry["consent"]!["waveforms"]!.GetValue<bool>());
        Assert.Equal(1, document["state"]!["desired"]!["applied"]!.GetValue<long>());
        Assert.DoesNotContain("MRN-1", document.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task IncompleteScore_IsReportedAsIncomplete_WithEachMissingInputAndWhy()
    {
        await _f.Controller.StartAsync(Ct);
        await _f.Controller.BindLocalAsync(BindingAction.Admit, "MRN-1", "bed-1", ["mon-1"], null, Ct);
        var patient = _f.Pseudonym("MRN-1");
        _f.Controller.ObserveScore(patient, new ScoreReading("news2", 3, _f.Time.GetUtcNow(), "low-medium",
            new Dictionary<string, string> { ["temperature"] = "stale", ["consciousness"] = "no-data" },
            new Dictionary<string, string> { ["pulse"] = "loinc:8889-8", ["respiration-rate"] = "loinc:76172-6" }));
        _f.Controller.ObserveScore(patient, new ScoreReading("other", 1, _f.Time.GetUtcNow(), null, new Dictionary<string, string>()));

        await _service.StepAsync(Ct);
        var document = await _publisher.NextAsync();

        var news2 = document["state"]!["patients"]![patient]!["scores"]!["news2"]!;
        Assert.Equal(3, news2["v"]!.GetValue<double>());
        Assert.False(news2["complete"]!.GetValue<bool>());
        Assert.Equal("low-medium", news2["band"]!.GetValue<string>());
        Assert.Equal("""{"consciousness":"no-data","temperature":"stale"}""", news2["missing"]!.ToJsonString());
        Assert.Equal("""{"pulse":"loinc:8889-8","respiration-rate":"loinc:76172-6"}""", news2["sources"]!.ToJsonString());
        var other = document["state"]!["patients"]![patient]!["scores"]!["other"]!;
        Assert.True(other["complete"]!.GetValue<bool>());
        Assert.Null(other["missing"]);
        Assert.Null(other["band"]);
        Assert.Null(other["sources"]);
    }

    [Fact]
    public async Task Rejection_IsReportedWithReason()
    {
        await _f.Controller.StartAsync(Ct);
        await _service.StepAsync(Ct);

        await _f.Controller.RejectDesiredAsync(7, "not-signed-by-operator", Ct);
        await _service.StepAsync(Ct);
        await _publisher.NextAsync();
        var document = await _publisher.NextAsync();

        var rejected = document["state"]!["desired"]!["lastRejected"]!;
        Assert.Equal(7, rejected["version"]!.GetValue<long>());
        Assert.Equal("not-signed-by-operator", rejected["reason"]!.GetValue<string>());
        Assert.Equal(0, document["state"]!["desired"]!["applied"]!.GetValue<long>());
    }

    [Fact]
    public async Task Disconnected_RetriesTheSameVersionAfterTheInterval()
    {
        await _f.Controller.StartAsync(Ct);
        await _service.StepAsync(Ct);
        _publisher.Connected = false;
        _f.Controller.ObserveHealth("mon-2", DeviceHealth.Lost);
        _f.Time.Advance(TimeSpan.FromSeconds(5));
        await _service.StepAsync(Ct);
        _publisher.Connected = true;
        await _service.StepAsync(Ct);
        var attemptsBeforeInterval = _publisher.Attempts;
        _f.Time.Advance(TimeSpan.FromSeconds(5));
        await _service.StepAsync(Ct);

        Assert.Equal(2, attemptsBeforeInterval);
        await _publisher.NextAsync();
        var document = await _publisher.NextAsync();
        Assert.Equal(2, document["version"]!.GetValue<long>());
        Assert.Equal("lost", document["state"]!["devices"]!["mon-2"]!["health"]!.GetValue<string>());
    }

    [Fact]
    public async Task Restart_ContinuesVersionsWhereTheyStopped()
    {
        await _f.Controller.StartAsync(Ct);
        await _service.StepAsync(Ct);
        await _f.Controller.RejectDesiredAsync(null, "malformed", Ct);
        await _service.StepAsync(Ct);

        _f.Restart();
        _service = NewService();
        await _f.Controller.StartAsync(Ct);
        await _service.StepAsync(Ct);

        Assert.Equal(1, (await _publisher.NextAsync())["version"]!.GetValue<long>());
        Assert.Equal(2, (await _publisher.NextAsync())["version"]!.GetValue<long>());
        var document = await _publisher.NextAsync();
        Assert.Equal(3, document["version"]!.GetValue<long>());
        Assert.Equal("malformed", document["state"]!["desired"]!["lastRejected"]!["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task WithoutInference_TheDocumentHasNoModelMember()
    {
        await _f.Controller.StartAsync(Ct);
        await _service.StepAsync(Ct);

        Assert.False(((JsonObject)(await _publisher.NextAsync())["state"]!).ContainsKey("model"));
    }

    public void Dispose()
    {
        _service.Dispose();
        _timeout.Dispose();
        _f.Dispose();
    }

    private ReportedTwinService NewService(Microsoft.Extensions.Logging.ILogger<ReportedTwinService>? logger = null) => new(
        _f.Controller, _publisher, _uplink, [], _f.Signal, new TwinIdentity("ward7-bed12"), Options.Create(new TwinOptions()), _f.Time, logger ?? NullLogger<ReportedTwinService>.Instance);
}
