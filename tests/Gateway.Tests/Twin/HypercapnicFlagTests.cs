namespace EdgeTwin.Gateway.Tests.Twin;

using System.Text.Json.Nodes;
using EdgeTwin.Gateway.Twin.Reported;
using EdgeTwin.Telemetry.Desired;

/// <summary>The per-patient hypercapnic flag (desired <c>patients</c>) and stay ends, as the twin keeps and hands them on.</summary>
public sealed class HypercapnicFlagTests : IDisposable
{
    private readonly TwinFixture _f = new();
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));

    private CancellationToken Ct => _timeout.Token;

    [Fact]
    public async Task DesiredFlag_IsKeptRecordedReportedAndHandedToTheTarget()
    {
        await _f.Controller.StartAsync(Ct);
        await _f.Controller.BindLocalAsync(BindingAction.Admit, "MRN-1", "bed-1", ["mon-1"], null, Ct);
        var patient = _f.Pseudonym("MRN-1");

        await Apply(1, """{ "patients": { "MRN-1": { "hypercapnic": true } } }""");

        Assert.Equal([patient], _f.Twin.Control.Hypercapnic);
        Assert.Equal([$"{patient} hypercapnic=True"], _f.Patients.Calls);
        var recorded = _f.Sink.Events.Single(e => e.Type == "hypercapnic-changed").Fields;
        Assert.Equal($$"""{"patient":"{{patient}}","hypercapnic":true,"source":"desired","version":1}""", recorded.ToJsonString());
        Assert.True(Reported()[patient]!["hypercapnic"]!.GetValue<bool>());
        Assert.DoesNotContain(_f.Sink.Events, e => e.Fields.ToJsonString().Contains("MRN-1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SameFlagAgain_ChangesNothingAndRecordsNothing()
    {
        await _f.Controller.StartAsync(Ct);
        await Apply(1, """{ "patients": { "MRN-1": { "hypercapnic": true } } }""");
        await Apply(2, """{ "patients": { "MRN-1": { "hypercapnic": true }, "MRN-2": { "hypercapnic": false } } }""");

        Assert.Single(_f.Patients.Calls);
        Assert.Single(_f.Sink.Events, e => e.Type == "hypercapnic-changed");
    }

    [Fact]
    public async Task Restart_FlagRestoredAndHandedToTheTargetAgain()
    {
        await _f.Controller.StartAsync(Ct);
        await Apply(1, """{ "patients": { "MRN-1": { "hypercapnic": true } } }""");
        var patient = _f.Pseudonym("MRN-1");

        _f.Restart();
        _f.Patients.Calls.Clear();
        await _f.Controller.StartAsync(Ct);

        Assert.Equal([patient], _f.Twin.Control.Hypercapnic);
        Assert.Equal([$"{patient} hypercapnic=True"], _f.Patients.Calls);
        Assert.True(Reported()[patient]!["hypercapnic"]!.GetValue<bool>()); // listed although not in a bed
    }

    [Fact]
    public async Task DesiredDischarge_EndsTheStayAndClearsTheFlag()
    {
        await _f.Controller.StartAsync(Ct);
        await Apply(1, """
            { "patients": { "MRN-1": { "hypercapnic": true } },
              "bindings": [ { "action": "admit", "patient": "MRN-1", "bed": "bed-1", "devices": ["mon-1"] } ] }
            """);
        var patient = _f.Pseudonym("MRN-1");
        _f.Patients.Calls.Clear();
        _f.Time.Advance(TimeSpan.FromMinutes(5));

        await Apply(2, """{ "bindings": [ { "action": "discharge", "patient": "MRN-1" } ] }""");

        Assert.Equal([$"{patient} stay-ended", $"{patient} hypercapnic=False"], _f.Patients.Calls);
        Assert.Empty(_f.Twin.Control.Hypercapnic);
        Assert.Equal(
            $$"""{"patient":"{{patient}}","hypercapnic":false,"source":"discharge","version":2}""",
            _f.Sink.Events.Last(e => e.Type == "hypercapnic-changed").Fields.ToJsonString());
    }

    [Fact]
    public async Task LocalDischarge_EndsTheStay_TransferDoesNot()
    {
        await _f.Controller.StartAsync(Ct);
        await _f.Controller.BindLocalAsync(BindingAction.Admit, "MRN-1", "bed-1", ["mon-1"], null, Ct);
        var patient = _f.Pseudonym("MRN-1");
        _f.Time.Advance(TimeSpan.FromMinutes(5));

        Assert.Null(await _f.Controller.BindLocalAsync(BindingAction.Transfer, "MRN-1", "bed-2", ["mon-2"], null, Ct));
        Assert.Empty(_f.Patients.Calls);

        _f.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.Null(await _f.Controller.BindLocalAsync(BindingAction.Discharge, "MRN-1", null, [], null, Ct));
        Assert.Equal([$"{patient} stay-ended"], _f.Patients.Calls);
        Assert.DoesNotContain(_f.Sink.Events, e => e.Type == "hypercapnic-changed"); // was not flagged
    }

    [Fact]
    public async Task DocumentRefusedForAnotherReason_FlagNotApplied()
    {
        await _f.Controller.StartAsync(Ct);
        var before = _f.Twin.Control;

        var problem = await _f.Controller.ApplyDesiredAsync(1, DesiredJson.Settings("""
            { "patients": { "MRN-1": { "hypercapnic": true } },
              "bindings": [ { "action": "discharge", "patient": "MRN-9" } ] }
            """), Ct);

        Assert.Equal("binding-refused:bindings[0]:not-admitted", problem);
        Assert.Same(before.Hypercapnic, _f.Twin.Control.Hypercapnic);
        Assert.Empty(_f.Patients.Calls);
        Assert.DoesNotContain(_f.Sink.Events, e => e.Type == "hypercapnic-changed");
    }

    public void Dispose()
    {
        _timeout.Dispose();
        _f.Dispose();
    }

    private JsonObject Reported() =>
        (JsonObject)ReportedDocument.Content(_f.Twin.Snapshot(), _f.Twin.Control, new FixedUplink().Read(), _f.Time.GetUtcNow()).State["patients"]!;

    private async Task Apply(long version, string json) => Assert.Null(await _f.Controller.ApplyDesiredAsync(version, DesiredJson.Settings(json), Ct));
}
