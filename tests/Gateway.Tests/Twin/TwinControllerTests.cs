namespace EdgeTwin.Gateway.Tests.Twin;

using System.Text.Json;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Gateway.Tests.Support;
using EdgeTwin.Gateway.Twin.Desired;
using EdgeTwin.Gateway.Twin.Model;
using EdgeTwin.Gateway.Twin.Persistence;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Desired;

public sealed class TwinControllerTests : IDisposable
{
    private readonly TwinFixture _f = new();

    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));

    private CancellationToken Ct => _timeout.Token;

    [Fact]
    public async Task ApplyDesired_ChangesEverySectionLiveAndRecordsEvents()
    {
        await _f.Controller.StartAsync(Ct);

        var problem = await _f.Controller.ApplyDesiredAsync(3, Settings("""
            {
              "devices": { "mon-1": { "sampleRates": { "mdc:131330": 125 } }, "mon-2": { "enabled": false } },
              "alarms": { "thresholds": { "spo2Low": 88 } },
              "checkpoint": { "maxRecords": 32, "maxDelayMs": 500 },
              "consent": { "MRN-1": { "waveforms": false } },
              "bindings": [ { "action": "admit", "patient": "MRN-1", "bed": "bed-12", "devices": ["mon-1"] } ]
            }
            """), Ct);

        Assert.Null(problem);
        var control = _f.Twin.Control;
        Assert.Equal(3, control.DesiredVersion);
        Assert.Equal(125, control.Configuration.Devices["mon-1"].SampleRatesHz["mdc:131330"]);
        Assert.False(control.Configuration.For("mon-2").Enabled);
        Assert.Equal(88, control.Configuration.Thresholds.Spo2Low);
        Assert.Equal(new CheckpointPolicy { MaxRecords = 32, MaxDelay = TimeSpan.FromMilliseconds(500) }, control.Configuration.Checkpoint);
        Assert.Equal(control.Configuration, _f.Target.Applied[^1]);
        var patient = _f.Pseudonym("MRN-1");
        Assert.False(control.Consent.Allows(patient, StreamClass.Waveforms));
        Assert.Equal(patient, control.Bindings.PatientAt("mon-1", _f.Time.GetUtcNow()));
        Assert.Equal(["desired-applied", "alarm-thresholds-changed", "consent-changed", "patient-admitted"], _f.Sink.Types());
        Assert.Equal(3, _f.Sink.Events[0].Fields["version"]!.GetValue<long>());
        Assert.Equal("""{"version":3,"thresholds":{"spo2Low":{"from":91,"to":88}}}""", _f.Sink.Events[1].Fields.ToJsonString());
        Assert.Equal(patient, _f.Sink.Events[2].Fields["patient"]!.GetValue<string>());
        Assert.Equal("waveforms", _f.Sink.Events[2].Fields["stream"]!.GetValue<string>());
        Assert.DoesNotContain(_f.Sink.Events, e => e.Fields.ToJsonString().Contains("MRN-1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Restart_WithChangedLocalConfiguration_KeepsDesiredSettingsAndTakesTheRestFromLocal()
    {
        await _f.Controller.StartAsync(Ct);
        await Apply(1, """{ "checkpoint": { "maxRecords": 16 } }""");

        _f.Local = TwinConfiguration.Default with { Checkpoint = new CheckpointPolicy { MaxRecords = 512, MaxDelay = TimeSpan.FromSeconds(2) }, Quotas = new QuotaSettings(1L << 20) };
        _f.Restart();
        await _f.Controller.StartAsync(Ct);

        var configuration = _f.Twin.Control.Configuration;
        Assert.Equal(new CheckpointPolicy { MaxRecords = 16, MaxDelay = TimeSpan.FromSeconds(2) }, configuration.Checkpoint);
        Assert.Equal(1L << 20, configuration.Quotas.TelemetryMaxBytes);
        Assert.Equal(configuration, _f.Target.Applied[^1]);
    }

    [Fact]
    public async Task ConsentWithdrawal_StopsPublicationFromThatMomentButTwinStillObserves()
    {
        await _f.Controller.StartAsync(Ct);
        await Apply(1, """{ "bindings": [ { "action": "admit", "patient": "MRN-1", "bed": "bed-1", "devices": ["mon-1"] } ] }""");
        var patient = _f.Pseudonym("MRN-1");
        var before = _f.Twin.Observe(new Sample("mon-1", TwinFixture.Ecg, _f.Time.GetUtcNow(), 0.5));

        await Apply(2, """{ "consent": { "MRN-1": { "waveforms": false, "vitals": false } } }""");
        _f.Time.Advance(TimeSpan.FromSeconds(1));
        var ecg = _f.Twin.Observe(new Sample("mon-1", TwinFixture.Ecg, _f.Time.GetUtcNow(), 0.6));
        var hr = _f.Twin.Observe(new Sample("mon-1", TwinFixture.Hr, _f.Time.GetUtcNow(), 72));

        Assert.Equal(new SampleAttribution(patient, true), before);
        Assert.Equal(new SampleAttribution(patient, false), ecg);
        Assert.Equal(new SampleAttribution(patient, false), hr);
        Assert.Equal(72, _f.Twin.Snapshot().Patients.Single().Vitals.Single().Value);
        Assert.True(_f.Twin.MayPublish(patient, StreamClass.Alarms));
        Assert.Equal(2, _f.Sink.Types().Count(t => t == "consent-changed"));
    }

    [Fact]
    public async Task Observe_UnboundDevice_IsKeptButUnattributed()
    {
        await _f.Controller.StartAsync(Ct);

        var attribution = _f.Twin.Observe(new Sample("mon-2", TwinFixture.Hr, _f.Time.GetUtcNow(), 80));

        Assert.Equal(SampleAttribution.Unattributed, attribution.Patient);
        Assert.False(attribution.IsAttributed);
        Assert.True(attribution.MayPublish);
        Assert.Equal(_f.Time.GetUtcNow(), _f.Twin.Snapshot().Devices.Single(d => d.DeviceId == "mon-2").LastSample);
        Assert.Empty(_f.Twin.Snapshot().Patients);
    }

    [Theory]
    [InlineData("9999-12-31T00:00:00.000Z", "at-in-future:9999-12-31T00:00:00.000Z is more than 00:05:00 ahead of the box's clock")]
    [InlineData("2000-01-01T00:00:00.000Z", "at-before-retention:2000-01-01T00:00:00.000Z is more than 1.00:00:00 before the box's clock")]
    public async Task ApplyDesired_BindingTimeOutOfBounds_IsRefusedWholeAndChangesNothing(string at, string reason)
    {
        await _f.Controller.StartAsync(Ct);
        var before = _f.Twin.Control;

        var problem = await _f.Controller.ApplyDesiredAsync(1, Settings($$"""{ "bindings": [ { "action": "admit", "patient": "MRN-7", "bed": "b", "devices": ["mon-1"], "at": "{{at}}" } ] }"""), Ct);

        Assert.StartsWith("binding-refused:bindings[0]:" + reason, problem, StringComparison.Ordinal);
        AssertUnchangedExceptRejection(before, _f.Twin.Control);
        Assert.Empty(_f.Twin.Control.Bindings.Windows);
    }

    [Theory]
    [InlineData("""{ "devices": { "mon-9": { "enabled": false } } }""", "unknown-device:mon-9")]
    [InlineData("""{ "devices": { "mon-1": { "sampleRates": { "loinc:8310-5": 1 } } } }""", "unknown-stream:mon-1/loinc:8310-5")]
    [InlineData("""{ "alarms": { "thresholds": { "hrLow": 100, "hrHigh": 90 } } }""", "inconsistent:hrLow>=hrHigh")]
    [InlineData("""{ "bindings": [ { "action": "admit", "patient": "MRN-7", "bed": "b", "devices": ["mon-9"] } ] }""", "binding-refused:bindings[0]:unknown-device:mon-9")]
    [InlineData("""{ "checkpoint": { "maxRecords": 8 }, "bindings": [ { "action": "discharge", "patient": "MRN-7" } ] }""", "binding-refused:bindings[0]:not-admitted")]
    [InlineData("""{ "consent": { "MRN-1": { "vitals": false } }, "bindings": [ { "action": "admit", "patient": "MRN-1", "bed": "b", "devices": ["mon-1"] }, { "action": "admit", "patient": "MRN-2", "bed": "c", "devices": ["mon-1"] } ] }""", "binding-refused:bindings[1]:device-bound:mon-1 (bound to another patient then)")]
    public async Task ApplyDesired_InconsistentDocument_IsRefusedWholeAndChangesNothing(string json, string reason)
    {
        await _f.Controller.StartAsync(Ct);
        await Apply(1, """{ "alarms": { "thresholds": { "spo2Low": 90 } } }""");
        var before = _f.Twin.Control;
        var targetCalls = _f.Target.Applied.Count;

        var problem = await _f.Controller.ApplyDesiredAsync(2, Settings(json), Ct);

        Assert.Equal(reason, problem);
        AssertUnchangedExceptRejection(before, _f.Twin.Control);
        Assert.Equal(new DesiredRejection(2, reason, _f.Time.GetUtcNow()), _f.Twin.Control.LastRejected);
        Assert.Equal(targetCalls, _f.Target.Applied.Count);
        var last = _f.Sink.Events[^1];
        Assert.Equal("desired-rejected", last.Type);
        Assert.Equal("""{"version":2,"reason":"REASON"}""".Replace("REASON", JsonEncodedText.Encode(reason).ToString(), StringComparison.Ordinal), last.Fields.ToJsonString());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    public async Task ApplyDesired_StaleOrEqualVersion_IsRefusedAndChangesNothing(long version)
    {
        await _f.Controller.StartAsync(Ct);
        await Apply(1, """{ "checkpoint": { "maxRecords": 10 } }""");
        var before = _f.Twin.Control;

        var problem = await _f.Controller.ApplyDesiredAsync(version, Settings("""{ "checkpoint": { "maxRecords": 99 } }"""), Ct);

        Assert.Equal("stale-version", problem);
        AssertUnchangedExceptRejection(before, _f.Twin.Control);
        Assert.Equal("desired-rejected", _f.Sink.Types()[^1]);
    }

    [Fact]
    public async Task Restart_RestoresControlStateAndRefusesTheRetainedDocumentReplayed()
    {
        await _f.Controller.StartAsync(Ct);
        await Apply(5, """{ "checkpoint": { "maxRecords": 16 }, "consent": { "MRN-1": { "waveforms": false } }, "bindings": [ { "action": "admit", "patient": "MRN-1", "bed": "bed-3", "devices": ["mon-1"] } ] }""");
        _f.Twin.Observe(new Sample("mon-1", TwinFixture.Hr, _f.Time.GetUtcNow(), 61));
        await _f.Controller.PersistReportAsync(newVersion: true, TimeSpan.FromHours(24), Ct);
        var before = _f.Twin.Control;

        _f.Restart();
        await _f.Controller.StartAsync(Ct);
        var restored = _f.Twin.Control;
        var replay = await _f.Controller.ApplyDesiredAsync(5, Settings("""{ "checkpoint": { "maxRecords": 16 } }"""), Ct);

        Assert.Equal(5, restored.DesiredVersion);
        Assert.Equal(1, restored.ReportedVersion);
        Assert.Equal(before.Configuration, restored.Configuration);
        Assert.Equal(16, _f.Target.Applied[^1].Checkpoint.MaxRecords);
        Assert.False(restored.Consent.Allows(_f.Pseudonym("MRN-1"), StreamClass.Waveforms));
        Assert.Equal(_f.Pseudonym("MRN-1"), restored.Bindings.PatientAt("mon-1", _f.Time.GetUtcNow()));
        Assert.Equal(61, _f.Twin.Snapshot().Patients.Single().Vitals.Single().Value);
        Assert.Equal("stale-version", replay);
        Assert.Equal(5, _f.Twin.Control.DesiredVersion);
    }

    [Fact]
    public async Task Events_OutboxDown_AreKeptAcrossRestartAndAppendedInOrderLater()
    {
        await _f.Controller.StartAsync(Ct);
        _f.Sink.Failing = true;
        await Apply(1, """{ "consent": { "MRN-1": { "vitals": false } } }""");
        await _f.Controller.RejectDesiredAsync(null, "malformed", Ct);
        Assert.Empty(_f.Sink.Events);

        _f.Restart();
        _f.Sink.Failing = false;
        await _f.Controller.StartAsync(Ct);

        Assert.Equal(["desired-applied", "consent-changed", "desired-rejected"], _f.Sink.Types());
        Assert.Empty(_f.Store.PendingEvents());
        Assert.Equal("""{"version":null,"reason":"malformed"}""", _f.Sink.Events[2].Fields.ToJsonString());
    }

    [Fact]
    public async Task BindLocal_TransferThenDischarge_RecordsEventsWithPseudonymOnly()
    {
        await _f.Controller.StartAsync(Ct);
        var t0 = _f.Time.GetUtcNow();
        Assert.Null(await _f.Controller.BindLocalAsync(BindingAction.Admit, "MRN-9", "bed-1", ["mon-1"], null, Ct));
        _f.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.Null(await _f.Controller.BindLocalAsync(BindingAction.Transfer, "MRN-9", "bed-2", ["mon-2"], null, Ct));
        _f.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.Null(await _f.Controller.BindLocalAsync(BindingAction.Discharge, "MRN-9", null, [], null, Ct));

        var late = _f.Twin.Observe(new Sample("mon-1", TwinFixture.Spo2, t0.AddMinutes(5), 97));

        Assert.Equal(_f.Pseudonym("MRN-9"), late.Patient);
        Assert.Equal(["patient-admitted", "patient-transferred", "patient-discharged"], _f.Sink.Types());
        Assert.All(_f.Sink.Events, e => Assert.Equal("local", e.Fields["source"]!.GetValue<string>()));
        Assert.DoesNotContain(_f.Sink.Events, e => e.Fields.ToJsonString().Contains("MRN-9", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("admit", "MRN 9", "bed-1", "mon-1")]
    [InlineData("admit", "MRN-9", "bed 1", "mon-1")]
    [InlineData("admit", "MRN-9", "bed-1", "mon-7")]
    [InlineData("transfer", "MRN-9", "bed-1", "mon-1")]
    [InlineData("discharge", "MRN-9", null, null)]
    public async Task BindLocal_BadCommand_IsRefusedAndChangesNothing(string actionName, string patient, string? bed, string? device)
    {
        var action = Enum.Parse<BindingAction>(actionName, ignoreCase: true);
        await _f.Controller.StartAsync(Ct);
        var before = _f.Twin.Control;

        var problem = await _f.Controller.BindLocalAsync(action, patient, bed, device is null ? [] : [device], null, Ct);

        Assert.NotNull(problem);
        Assert.Same(before, _f.Twin.Control);
        Assert.Empty(_f.Sink.Events);
    }

    [Fact]
    public async Task Store_SaveReachesTheDisk()
    {
        var flushes = _f.Store.DiskFlushes;

        await _f.Controller.RejectDesiredAsync(4, "wrong-gw", Ct);

        Assert.True(_f.Store.DiskFlushes > flushes);
    }

    [Fact]
    public void Store_SecondOpenOfTheSameFile_FailsInsteadOfSharing()
    {
        Assert.ThrowsAny<IOException>(() => TwinStore.Open(_f.StorePath, TestStorageKey.Key));
    }

    public void Dispose()
    {
        _timeout.Dispose();
        _f.Dispose();
    }

    private static DesiredSettings Settings(string json) => DesiredJson.Settings(json);

    private static void AssertUnchangedExceptRejection(TwinControl before, TwinControl after)
    {
        Assert.Equal(before.DesiredVersion, after.DesiredVersion);
        Assert.Equal(before.Configuration, after.Configuration);
        Assert.Same(before.Consent, after.Consent);
        Assert.Same(before.Bindings, after.Bindings);
        Assert.Same(before.Hypercapnic, after.Hypercapnic);
        Assert.Equal(before.ReportedVersion, after.ReportedVersion);
    }

    private async Task Apply(long version, string json) => Assert.Null(await _f.Controller.ApplyDesiredAsync(version, Settings(json), Ct));
}
