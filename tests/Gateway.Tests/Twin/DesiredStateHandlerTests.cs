namespace EdgeTwin.Gateway.Tests.Twin;

using System.Text;
using System.Text.Json.Nodes;
using EdgeTwin.Gateway.Twin;
using EdgeTwin.Gateway.Twin.Desired;
using EdgeTwin.Gateway.Twin.Model;
using EdgeTwin.Telemetry.Desired;
using EdgeTwin.Telemetry.Signing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

/// <summary>
/// The bad inputs of issue 5, each through the real envelope check and schema: every one is refused
/// with a named reason, recorded as a <c>desired-rejected</c> event and in the twin, and changes
/// nothing else.
/// </summary>
public sealed class DesiredStateHandlerTests : IDisposable
{
    private const string Gw = "ward7-bed12";

    // TEST KEYS ONLY: 32 bytes of 0x44 (the operator) and of 0x55 (someone else).
    private readonly GatewayKey _operator = GatewayKey.FromPrivateKeyHex("0x" + new string('4', 64));
    private readonly GatewayKey _intruder = GatewayKey.FromPrivateKeyHex("0x" + new string('5', 64));
    private readonly TwinFixture _f = new();
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));
    private DesiredStateHandler _handler;

    public DesiredStateHandlerTests()
    {
        _handler = NewHandler();
    }

    private CancellationToken Ct => _timeout.Token;

    [Fact]
    public async Task SignedByOperator_ForThisGateway_NewerVersion_IsApplied()
    {
        await _f.Controller.StartAsync(Ct);

        await _handler.HandleAsync(Envelope(1, """{ "checkpoint": { "maxRecords": 32 } }"""), Ct);

        Assert.Equal(1, _f.Twin.Control.DesiredVersion);
        Assert.Equal(32, _f.Twin.Control.Configuration.Checkpoint.MaxRecords);
        Assert.Null(_f.Twin.Control.LastRejected);
        Assert.Equal("""{"version":1,"issued":"2026-11-27T16:00:00.000Z"}""", _f.Sink.Events.Single().Fields.ToJsonString());
    }

    [Fact]
    public async Task OperatorAddress_IsComparedCaseInsensitively()
    {
        _handler = NewHandler(_operator.Address.ToLowerInvariant());
        await _f.Controller.StartAsync(Ct);

        await _handler.HandleAsync(Envelope(1, "{}"), Ct);

        Assert.Equal(1, _f.Twin.Control.DesiredVersion);
    }

    /// <summary>Issue 14, docs/operations.md "Operator key": both trusted while the change rolls out, then the old one is refused.</summary>
    [Fact]
    public async Task OperatorKeyRotated_BothTrustedDuringTheChange_ThenTheOldKeysDocumentsAreRefused()
    {
        using var next = GatewayKey.FromPrivateKeyHex("0x" + new string('6', 64));
        _handler = NewHandler([_operator.Address, next.Address]);
        await _f.Controller.StartAsync(Ct);
        await _handler.HandleAsync(Envelope(1, "{}"), Ct);
        await _handler.HandleAsync(Envelope(2, """{ "checkpoint": { "maxRecords": 16 } }""", signer: next), Ct);
        Assert.Equal(2, _f.Twin.Control.DesiredVersion);

        // The gateway restarted with only the new operator address.
        _handler = NewHandler([next.Address]);
        await AssertRejectedAsync(Envelope(3, """{ "checkpoint": { "maxRecords": 1 } }"""), null, "not-signed-by-operator", started: true);
        await _handler.HandleAsync(Envelope(3, """{ "checkpoint": { "maxRecords": 8 } }""", signer: next), Ct);

        Assert.Equal(3, _f.Twin.Control.DesiredVersion);
        Assert.Equal(8, _f.Twin.Control.Configuration.Checkpoint.MaxRecords);
    }

    [Fact]
    public async Task Unsigned_IsRejectedAsMalformed()
    {
        var doc = Encoding.UTF8.GetString(Envelope(2, "{}"));
        var unsigned = JsonNode.Parse(doc)!.AsObject();
        unsigned.Remove("sig");

        await AssertRejectedAsync(Encoding.UTF8.GetBytes(unsigned.ToJsonString()), null, "malformed");
    }

    [Fact]
    public async Task SignedByNonOperator_IsRejected() =>
        await AssertRejectedAsync(Envelope(2, """{ "checkpoint": { "maxRecords": 1 } }""", signer: _intruder), null, "not-signed-by-operator");

    [Fact]
    public async Task SignedByNonOperator_TheLogLineNamesTheSignerAndTheAddressesTheGatewayTrusts()
    {
        await _f.Controller.StartAsync(Ct);

        await _handler.HandleAsync(Envelope(2, """{ "checkpoint": { "maxRecords": 1 } }""", signer: _intruder), Ct);

        var line = _f.Log.Collector.GetSnapshot().Single(r => r.Message.Contains("not-signed-by-operator", StringComparison.Ordinal)).Message;
        Assert.Contains($"signed by {_intruder.Address}", line, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"Twin:OperatorAddresses trusts {_operator.Address}", line, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task TamperedDocument_IsRejected()
    {
        var text = Encoding.UTF8.GetString(Envelope(2, """{ "checkpoint": { "maxRecords": 100 } }"""));
        var tampered = Encoding.UTF8.GetBytes(text.Replace("100", "101", StringComparison.Ordinal));

        var before = _f.Twin.Control;
        await _handler.HandleAsync(tampered, Ct);

        Assert.Equal(before.Configuration, _f.Twin.Control.Configuration);
        Assert.Equal("desired-rejected", _f.Sink.Types().Single());
        Assert.Contains(_f.Twin.Control.LastRejected!.Reason, new[] { "bad-signature", "not-signed-by-operator" });
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    public async Task StaleOrEqualVersion_IsRejected(long version)
    {
        await _f.Controller.StartAsync(Ct);
        await _handler.HandleAsync(Envelope(1, "{}"), Ct);

        await AssertRejectedAsync(Envelope(version, """{ "checkpoint": { "maxRecords": 5 } }"""), version, "stale-version", started: true);
    }

    [Fact]
    public async Task OtherGateway_IsRejected() =>
        await AssertRejectedAsync(Envelope(2, "{}", gw: "ward7-bed13"), 2, "wrong-gw");

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"doc":"{\"gw\":","sig":"0x00"}""")]
    [InlineData("""{"doc":42,"sig":"0x00"}""")]
    [InlineData("[]")]
    public async Task MalformedEnvelope_IsRejected(string payload) =>
        await AssertRejectedAsync(Encoding.UTF8.GetBytes(payload), null, payload.StartsWith("{\"doc\":\"", StringComparison.Ordinal) ? "bad-signature" : "malformed");

    [Fact]
    public async Task SignedDocWithoutState_IsRejectedAsMalformed()
    {
        const string doc = """{"gw":"ward7-bed12","version":3,"issued":"2026-11-27T16:00:00.000Z"}""";
        var sig = _operator.SignDigest(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(doc)));
        var envelope = new JsonObject { ["doc"] = doc, ["sig"] = sig };

        await AssertRejectedAsync(Encoding.UTF8.GetBytes(envelope.ToJsonString()), null, "malformed");
    }

    [Theory]
    [InlineData("""{ "checkpoint": { "maxRecords": 10 }, "telemetryRate": 5 }""", "unknown-setting:telemetryRate")]
    [InlineData("""{ "devices": { "mon-1": { "sampleRates": { "mdc:131330": -250 } } } }""", "out-of-range:devices.mon-1.sampleRates.mdc:131330 (allowed above 0 up to 2000 Hz)")]
    [InlineData("""{ "alarms": { "thresholds": { "spo2Low": 150 } } }""", "out-of-range:alarms.thresholds.spo2Low (allowed 50 to 100)")]
    [InlineData("""{ "alarms": { "thresholds": { "spo2Low": 88 } }, "patients": { "MRN-1": { "hypercapnic": "yes" } } }""", "invalid-value:patients[0].hypercapnic")]
    public async Task InvalidSettings_AreRejectedWhole(string state, string reason) =>
        await AssertRejectedAsync(Envelope(4, state), 4, reason);

    [Fact]
    public async Task OverSixtyFourKiB_IsRejected()
    {
        var padding = new string('x', 70 * 1024);
        var payload = Encoding.UTF8.GetBytes($$"""{"doc":"{}","sig":"0x00","pad":"{{padding}}"}""");

        await AssertRejectedAsync(payload, null, "too-large");
    }

    [Fact]
    public async Task RetainedDocumentReplayedAfterRestart_IsRejectedAsStale()
    {
        await _f.Controller.StartAsync(Ct);
        var retained = Envelope(6, """{ "consent": { "MRN-1": { "waveforms": false } }, "bindings": [ { "action": "admit", "patient": "MRN-1", "bed": "bed-1", "devices": ["mon-1"] } ] }""");
        await _handler.HandleAsync(retained, Ct);
        Assert.Equal(6, _f.Twin.Control.DesiredVersion);

        _f.Restart();
        _handler = NewHandler();
        await AssertRejectedAsync(retained, 6, "stale-version");
        Assert.Equal(6, _f.Twin.Control.DesiredVersion);
        Assert.Single(_f.Twin.Control.Bindings.Windows);
    }

    [Fact]
    public async Task EmptyRetainedMessage_ClearsNothingAndIsNoDocument()
    {
        await _f.Controller.StartAsync(Ct);
        var before = _f.Twin.Control;

        await _handler.HandleAsync(ReadOnlyMemory<byte>.Empty, Ct);

        Assert.Same(before, _f.Twin.Control);
        Assert.Empty(_f.Sink.Events);
    }

    [Fact]
    public async Task IssuedBeforeTheLastApplied_IsRefused_AsStaleIssued()
    {
        await _f.Controller.StartAsync(Ct);
        await _handler.HandleAsync(Envelope(4, "{}"), Ct);

        await AssertRejectedAsync(Envelope(5, """{ "checkpoint": { "maxRecords": 8 } }""", issued: _f.Time.GetUtcNow().AddMinutes(-1)), 5, "stale-issued", started: true);
        Assert.Equal(4, _f.Twin.Control.DesiredVersion);
    }

    [Fact]
    public async Task TwinStoreLost_TheFloorFileStillRefusesTheOldDocument()
    {
        await _f.Controller.StartAsync(Ct);
        var old = Envelope(3, """{ "checkpoint": { "maxRecords": 8 } }""");
        await _handler.HandleAsync(old, Ct);
        _f.Time.Advance(TimeSpan.FromHours(1));
        await _handler.HandleAsync(Envelope(5, """{ "checkpoint": { "maxRecords": 64 } }"""), Ct);

        _f.RestartWithTwinStoreLost();
        _handler = NewHandler();
        await _f.Controller.StartAsync(Ct);
        Assert.Equal(new DesiredFloor(5, _f.Time.GetUtcNow()), _f.Controller.Floor);

        await AssertRejectedAsync(old, 3, "stale-version", started: true);
        Assert.Equal(0, _f.Twin.Control.DesiredVersion);
        Assert.NotEqual(8, _f.Twin.Control.Configuration.Checkpoint.MaxRecords);
    }

    [Fact]
    public async Task NoFloorAtAll_ADocumentIssuedBeforeTheMaxAge_IsRefused_AsTooOld_AFreshOneApplies()
    {
        var old = Envelope(3, """{ "checkpoint": { "maxRecords": 8 } }""", issued: _f.Time.GetUtcNow().AddDays(-8));
        await AssertRejectedAsync(old, 3, "too-old");

        await _handler.HandleAsync(Envelope(4, """{ "checkpoint": { "maxRecords": 8 } }""", issued: _f.Time.GetUtcNow().AddDays(-6)), Ct);
        Assert.Equal(4, _f.Twin.Control.DesiredVersion);
    }

    [Fact]
    public async Task FloorFileUnreadable_IsIgnored_TheTwinStoreVersionStillHolds_AndTheFileIsRewritten()
    {
        await _f.Controller.StartAsync(Ct);
        await _handler.HandleAsync(Envelope(5, "{}"), Ct);
        File.WriteAllText(_f.FloorPath, "{ not json");

        _f.Restart();
        _handler = NewHandler();
        await _f.Controller.StartAsync(Ct);

        Assert.Equal(new DesiredFloor(5, null), _f.Controller.Floor);
        Assert.Equal(new DesiredFloor(5, null), new EdgeTwin.Gateway.Twin.Persistence.DesiredFloorFile(_f.FloorPath).Read(out var problem));
        Assert.Null(problem);
    }

    [Fact]
    public async Task AFloodOfForgedDocuments_OneEventPerReasonAMinute_TheNextCountsThoseHeldBack()
    {
        await _f.Controller.StartAsync(Ct);
        for (var i = 0; i < 1000; i++)
        {
            await _handler.HandleAsync(new byte[] { (byte)'x' }, Ct);
        }

        await _handler.HandleAsync(Envelope(2, "{}", signer: _intruder), Ct);
        Assert.Equal(["malformed", "not-signed-by-operator"], _f.Sink.Events.Select(e => e.Fields["reason"]!.GetValue<string>()));

        _f.Time.Advance(TimeSpan.FromMinutes(1));
        await _handler.HandleAsync(new byte[] { (byte)'x' }, Ct);
        var last = _f.Sink.Events[^1];
        Assert.Equal("desired-rejected", last.Type);
        Assert.Equal(999, last.Fields["heldBack"]!.GetValue<long>());
        Assert.Equal(3, _f.Sink.Events.Count);
        Assert.Equal("malformed", _f.Twin.Control.LastRejected!.Reason);
    }

    public void Dispose()
    {
        _operator.Dispose();
        _intruder.Dispose();
        _timeout.Dispose();
        _f.Dispose();
    }

    private DesiredStateHandler NewHandler(string? operatorAddress = null) => NewHandler([operatorAddress ?? _operator.Address]);

    private DesiredStateHandler NewHandler(List<string> operatorAddresses) => new(
        _f.Controller,
        new TwinIdentity(Gw),
        Options.Create(new TwinOptions { OperatorAddresses = operatorAddresses }),
        NullLogger<DesiredStateHandler>.Instance);

    private byte[] Envelope(long version, string state, GatewayKey? signer = null, string gw = Gw, DateTimeOffset? issued = null) =>
        DesiredEnvelope.Sign(
            new DesiredDocument(gw, version, issued ?? _f.Time.GetUtcNow(), (JsonObject)JsonNode.Parse(state)!),
            signer ?? _operator);

    private async Task AssertRejectedAsync(byte[] envelope, long? version, string reason, bool started = false)
    {
        if (!started)
        {
            await _f.Controller.StartAsync(Ct);
        }

        var before = _f.Twin.Control;
        var targetCalls = _f.Target.Applied.Count;
        var patientCalls = _f.Patients.Calls.Count;
        var events = _f.Sink.Events.Count;

        await _handler.HandleAsync(envelope, Ct);

        var after = _f.Twin.Control;
        Assert.Equal(new DesiredRejection(version, reason, _f.Time.GetUtcNow()), after.LastRejected);
        Assert.Equal(before.DesiredVersion, after.DesiredVersion);
        Assert.Equal(before.Configuration, after.Configuration);
        Assert.Equal(before.Overlay, after.Overlay);
        Assert.Same(before.Consent, after.Consent);
        Assert.Same(before.Bindings, after.Bindings);
        Assert.Same(before.Hypercapnic, after.Hypercapnic);
        Assert.Equal(targetCalls, _f.Target.Applied.Count);
        Assert.Equal(patientCalls, _f.Patients.Calls.Count);
        var rejected = Assert.Single(_f.Sink.Events.Skip(events));
        Assert.Equal("desired-rejected", rejected.Type);
        Assert.Equal(reason, rejected.Fields["reason"]!.GetValue<string>());
        Assert.Equal(version, rejected.Fields["version"]?.GetValue<long>());
    }
}
