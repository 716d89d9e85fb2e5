namespace EdgeTwin.Telemetry.Tests.Desired;

using System.Text.Json.Nodes;
using EdgeTwin.Telemetry.Desired;

public sealed class DesiredSettingsParserTests
{
    [Fact]
    public void TryParse_EverySection_ReadsTypedSettings()
    {
        var settings = Parse("""
            {
              "devices": { "mon-1": { "enabled": false, "sampleRates": { "mdc:131330": 125 } } },
              "alarms": { "thresholds": { "spo2Low": 88, "hrHigh": 140 } },
              "checkpoint": { "maxRecords": 64, "maxDelayMs": 250 },
              "quotas": { "telemetryMaxBytes": 104857600 },
              "consent": { "MRN-1": { "waveforms": false, "location": false } },
              "patients": { "MRN-1": { "hypercapnic": true }, "MRN-2": { "hypercapnic": false } },
              "bindings": [
                { "action": "admit", "patient": "MRN-1", "bed": "bed-12", "devices": ["mon-1"], "at": "2026-11-27T15:00:00.000Z" },
                { "action": "discharge", "patient": "MRN-2" }
              ]
            }
            """);

        Assert.False(settings.Devices["mon-1"].Enabled);
        Assert.Equal(125, settings.Devices["mon-1"].SampleRatesHz["mdc:131330"]);
        Assert.Equal(88, settings.Thresholds["spo2Low"]);
        Assert.Equal(140, settings.Thresholds["hrHigh"]);
        Assert.Equal(64, settings.CheckpointMaxRecords);
        Assert.Equal(TimeSpan.FromMilliseconds(250), settings.CheckpointMaxDelay);
        Assert.Equal(104857600, settings.TelemetryQuotaBytes);
        Assert.False(settings.Consent["MRN-1"][StreamClass.Waveforms]);
        Assert.Equal(2, settings.Consent["MRN-1"].Count);
        Assert.Equal(BindingAction.Admit, settings.Bindings[0].Action);
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 15, 0, 0, TimeSpan.Zero), settings.Bindings[0].At);
        Assert.Equal(BindingAction.Discharge, settings.Bindings[1].Action);
        Assert.Null(settings.Bindings[1].At);
        Assert.Equal([("MRN-1", true), ("MRN-2", false)], settings.Hypercapnic.Select(p => (p.Key, p.Value)));
    }

    [Fact]
    public void TryParse_EmptyState_ChangesNothing()
    {
        var settings = Parse("{}");

        Assert.Empty(settings.Devices);
        Assert.Null(settings.CheckpointMaxRecords);
        Assert.Empty(settings.Bindings);
        Assert.Empty(settings.Hypercapnic);
    }

    [Theory]
    [InlineData("""{"sampleRate": 10}""", "unknown-setting:sampleRate")]
    [InlineData("""{"devices": {"mon-1": {"rate": 10}}}""", "unknown-setting:devices.mon-1.rate")]
    [InlineData("""{"alarms": {"thresholds": {"spo2High": 99}}}""", "unknown-setting:alarms.thresholds.spo2High")]
    [InlineData("""{"alarms": {"sounds": {}}}""", "unknown-setting:alarms.sounds")]
    [InlineData("""{"checkpoint": {"maxBytes": 1}}""", "unknown-setting:checkpoint.maxBytes")]
    [InlineData("""{"consent": {"MRN-1": {"genome": false}}}""", "unknown-setting:consent[0].genome")]
    [InlineData("""{"patients": {"MRN-1": {"hypercapnic": true, "copd": true}}}""", "unknown-setting:patients[0].copd")]
    [InlineData("""{"bindings": [{"action": "admit", "patient": "MRN-1", "bed": "b", "devices": ["mon-1"], "room": "3"}]}""", "unknown-setting:bindings[0].room")]
    public void TryParse_UnknownSetting_IsRefusedNamingIt(string json, string reason) => AssertRefused(json, reason);

    [Theory]
    [InlineData("""{"devices": {"mon-1": {"sampleRates": {"mdc:131330": -250}}}}""", "out-of-range:devices.mon-1.sampleRates.mdc:131330 (allowed above 0 up to 2000 Hz)")]
    [InlineData("""{"devices": {"mon-1": {"sampleRates": {"mdc:131330": 0}}}}""", "out-of-range:devices.mon-1.sampleRates.mdc:131330 (allowed above 0 up to 2000 Hz)")]
    [InlineData("""{"devices": {"mon-1": {"sampleRates": {"mdc:131330": 1e6}}}}""", "out-of-range:devices.mon-1.sampleRates.mdc:131330 (allowed above 0 up to 2000 Hz)")]
    [InlineData("""{"alarms": {"thresholds": {"spo2Low": 150}}}""", "out-of-range:alarms.thresholds.spo2Low (allowed 50 to 100)")]
    [InlineData("""{"alarms": {"thresholds": {"hrHigh": -5}}}""", "out-of-range:alarms.thresholds.hrHigh (allowed 60 to 300)")]
    [InlineData("""{"checkpoint": {"maxRecords": 0}}""", "out-of-range:checkpoint.maxRecords (allowed 1 to 100000)")]
    [InlineData("""{"checkpoint": {"maxDelayMs": 3600000}}""", "out-of-range:checkpoint.maxDelayMs (allowed 10 to 600000)")]
    [InlineData("""{"quotas": {"telemetryMaxBytes": 10}}""", "out-of-range:quotas.telemetryMaxBytes (allowed 65536 to 1099511627776)")]
    [InlineData("""{"quotas": {"alarmMaxBytes": 1048576}}""", "unknown-setting:quotas.alarmMaxBytes")]
    public void TryParse_ValueOutOfRange_IsRefusedNamingIt(string json, string reason) => AssertRefused(json, reason);

    [Theory]
    [InlineData("""{"devices": []}""", "invalid-value:devices")]
    [InlineData("""{"devices": {"mon-1": {"enabled": "yes"}}}""", "invalid-value:devices.mon-1.enabled")]
    [InlineData("""{"alarms": {"thresholds": {"spo2Low": "90"}}}""", "invalid-value:alarms.thresholds.spo2Low")]
    [InlineData("""{"checkpoint": {"maxRecords": 1.5}}""", "invalid-value:checkpoint.maxRecords")]
    [InlineData("""{"consent": {"MRN 1": {"vitals": true}}}""", "invalid-value:consent[0]")]
    [InlineData("""{"consent": {"MRN-1": {"vitals": 1}}}""", "invalid-value:consent[0].vitals")]
    [InlineData("""{"patients": []}""", "invalid-value:patients")]
    [InlineData("""{"patients": {"MRN-1": true}}""", "invalid-value:patients[0]")]
    [InlineData("""{"patients": {"MRN 1": {"hypercapnic": true}}}""", "invalid-value:patients[0]")]
    [InlineData("""{"patients": {"MRN-1": {}, "MRN-2": {"hypercapnic": "yes"}}}""", "invalid-value:patients[1].hypercapnic")]
    [InlineData("""{"patients": {"MRN-1": {"hypercapnic": null}}}""", "invalid-value:patients[0].hypercapnic")]
    [InlineData("""{"bindings": {}}""", "invalid-value:bindings")]
    [InlineData("""{"bindings": [{"action": "adopt", "patient": "MRN-1"}]}""", "invalid-value:bindings[0].action")]
    [InlineData("""{"bindings": [{"patient": "MRN-1"}]}""", "invalid-value:bindings[0].action")]
    [InlineData("""{"bindings": [{"action": "admit", "patient": "MRN-1", "devices": ["mon-1"]}]}""", "invalid-value:bindings[0].bed")]
    [InlineData("""{"bindings": [{"action": "admit", "patient": "MRN-1", "bed": "b1", "devices": []}]}""", "invalid-value:bindings[0].devices")]
    [InlineData("""{"bindings": [{"action": "admit", "patient": "MRN-1", "bed": "b1", "devices": ["m", "m"]}]}""", "invalid-value:bindings[0].devices")]
    [InlineData("""{"bindings": [{"action": "discharge", "patient": "MRN-1", "bed": "b1"}]}""", "invalid-value:bindings[0].bed")]
    [InlineData("""{"bindings": [{"action": "admit", "patient": "MRN-1", "bed": "bed 1", "devices": ["m"]}]}""", "invalid-value:bindings[0].bed")]
    [InlineData("""{"bindings": [{"action": "discharge", "patient": "MRN-1", "at": "2026-11-27 15:00"}]}""", "invalid-value:bindings[0].at")]
    [InlineData("""{"bindings": [{"action": "discharge", "patient": "MRN-1", "at": "2026-11-27T15:00:00"}]}""", "invalid-value:bindings[0].at")]
    public void TryParse_WrongShape_IsRefusedNamingIt(string json, string reason) => AssertRefused(json, reason);

    [Fact]
    public void TryParse_ConsentReason_NeverNamesTheClearIdentifier()
    {
        AssertRefused("""{"consent": {"MRN-424242": {"dna": true}}}""", "unknown-setting:consent[0].dna");
    }

    private static DesiredSettings Parse(string json)
    {
        Assert.True(DesiredSettingsParser.TryParse((JsonObject)JsonNode.Parse(json)!, out var settings, out var problem), problem);
        return settings!;
    }

    private static void AssertRefused(string json, string reason)
    {
        Assert.False(DesiredSettingsParser.TryParse((JsonObject)JsonNode.Parse(json)!, out var settings, out var problem));
        Assert.Null(settings);
        Assert.Equal(reason, problem);
    }
}
