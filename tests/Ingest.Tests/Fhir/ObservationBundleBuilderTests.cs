namespace EdgeTwin.Ingest.Tests.Fhir;

using System.Text.Json;
using EdgeTwin.Ingest.Fhir;
using EdgeTwin.Ingest.Storage.LiteDb;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Compact;
using EdgeTwin.Telemetry.Records;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.Extensions.Time.Testing;

public sealed class ObservationBundleBuilderTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 16, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("edgetwin-fhir-").FullName;
    private readonly LiteDbIngestStore _store;

    public ObservationBundleBuilderTests() => _store = new LiteDbIngestStore(_dir);

    public System.Threading.Tasks.Task InitializeAsync() => _store.InitializeAsync(default);

    public async System.Threading.Tasks.Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async System.Threading.Tasks.Task Bundle_HasLoincUcumObservations_DeviceRefs_AndTheCoveringCheckpointSignature()
    {
        using var g = new SimulatedGateway("ward7", "bed-12", T0, policy: new CheckpointPolicy { MaxRecords = 4, MaxDelay = TimeSpan.FromHours(1) });
        var records = new List<ChainRecord> { g.All[0] };
        records.AddRange(g.ProduceObs(3, T0.AddSeconds(1)));
        records.Add(g.Telemetry.AppendObs(new ObsBody(g.Patient, "bed-12-ecg", "mdc:131330", "mV", T0.AddSeconds(2), 4, [0.1, null, 0.3]), T0.AddSeconds(2), ClockQuality.Synced));
        records.Add(g.Telemetry.Checkpoint(T0.AddSeconds(3), ClockQuality.Synced)!);

        // seq 0 genesis, 1-3 obs, 4 checkpoint, 5 waveform, 6 checkpoint.
        Assert.Equal(["genesis", "obs", "obs", "obs", "checkpoint", "obs", "checkpoint"], records.Select(r => r.Kind));
        await StoreSeeder.SeedAsync(_store, "ward7", records, verifiedThrough: 6);

        var bundle = await new ObservationBundleBuilder(_store, new FakeTimeProvider(T0)).BuildAsync(g.Patient, null, default);

        var observations = bundle.Entry.Select(e => e.Resource).OfType<Observation>().ToList();
        Assert.Equal(4, observations.Count);
        Assert.Equal(4, bundle.Total);
        var hr = observations[0];
        Assert.Equal(("http://loinc.org", "8867-4"), (hr.Code.Coding[0].System, hr.Code.Coding[0].Code));
        var q = Assert.IsType<Quantity>(hr.Value);
        Assert.Equal((60m, "http://unitsofmeasure.org", "/min"), (q.Value, q.System, q.Code));
        Assert.Equal("Device/bed-12-mon", hr.Device!.Reference);
        Assert.Equal($"Patient/{g.Patient}", hr.Subject!.Reference);
        Assert.Equal("vital-signs", hr.Category[0].Coding[0].Code);
        var ecg = observations[3];
        Assert.Equal(("urn:iso:std:iso:11073:10101", "131330"), (ecg.Code.Coding[0].System, ecg.Code.Coding[0].Code));
        Assert.Equal("0.1 E 0.3", Assert.IsType<SampledData>(ecg.Value).Data);

        var provenances = bundle.Entry.Select(e => e.Resource).OfType<Provenance>().ToList();
        Assert.Equal(2, provenances.Count);
        Assert.Equal(3, provenances[0].Target.Count);
        Assert.Single(provenances[1].Target);
        var cpSig = JsonDocument.Parse(records[4].Payload).RootElement.GetProperty("body").GetProperty("sig").GetString()!;
        Assert.Equal(Convert.FromHexString(cpSig[2..]), provenances[0].Signature[0].Data);
        Assert.All(provenances[0].Target, t => Assert.Contains(bundle.Entry, e => e.FullUrl == t.Reference && e.Resource is Observation));

        // Serialises with the FHIR serializer (what the API serves) and parses back.
        var options = new JsonSerializerOptions().ForFhir();
        var json = JsonSerializer.Serialize(bundle, options);
        var back = JsonSerializer.Deserialize<Bundle>(json, options)!;
        Assert.Equal(bundle.Entry.Count, back.Entry.Count);
    }

    [Fact]
    public async System.Threading.Tasks.Task Bundle_AGlucoseMetersResult_IsALaboratoryObservation_InItsUcumUnit()
    {
        using var g = new SimulatedGateway("home", "glucometer", T0, policy: new CheckpointPolicy { MaxRecords = 4, MaxDelay = TimeSpan.FromHours(1) });
        var records = new List<ChainRecord> { g.All[0] };
        records.Add(g.Telemetry.AppendObs(new ObsBody(g.Patient, "glucometer", "loinc:41653-7", "mg/dL", T0.AddSeconds(1), 0, [104.0]), T0.AddSeconds(1), ClockQuality.Synced));
        records.Add(g.Telemetry.AppendObs(new ObsBody(g.Patient, "glucometer", "loinc:4548-4", "%", T0.AddSeconds(1), 0, [6.9]), T0.AddSeconds(1), ClockQuality.Synced));
        records.Add(g.Telemetry.Checkpoint(T0.AddSeconds(2), ClockQuality.Synced)!);
        await StoreSeeder.SeedAsync(_store, "home", records, verifiedThrough: 3);

        var bundle = await new ObservationBundleBuilder(_store, new FakeTimeProvider(T0)).BuildAsync(g.Patient, null, default);

        var observations = bundle.Entry.Select(e => e.Resource).OfType<Observation>().ToList();
        Assert.Equal([("41653-7", "laboratory", 104m, "mg/dL"), ("4548-4", "laboratory", 6.9m, "%")],
            observations.Select(o => (o.Code.Coding[0].Code, o.Category[0].Coding[0].Code, Assert.IsType<Quantity>(o.Value).Value!.Value, Assert.IsType<Quantity>(o.Value).Code)));
    }

    [Fact]
    public async System.Threading.Tasks.Task Bundle_ACompactRecord_GivesOneObservationPerVitalSample_AndSampledDataPerWaveform_WithTheDecodedValues()
    {
        using var g = new SimulatedGateway("home", "hub-1", T0, policy: new CheckpointPolicy { MaxRecords = 4, MaxDelay = TimeSpan.FromHours(1) });
        var body = new CompactObsBody(g.Patient, "mon-1", [
            new CompactStream("loinc:8310-5", "Cel", Quantum.Parse("0.01"), T0, 10000, [37.12, 37.125, null]),
            new CompactStream("mdc:131330", "mV", Quantum.Parse("0.001"), T0.AddMilliseconds(4), 4, [0.1, -0.25, null, 1.5]),
        ]);
        var records = new List<ChainRecord> { g.All[0], g.Telemetry.AppendObsCompact(body, T0.AddSeconds(30), ClockQuality.Synced) };
        records.Add(g.Telemetry.Checkpoint(T0.AddSeconds(31), ClockQuality.Synced)!);
        await StoreSeeder.SeedAsync(_store, "home", records, verifiedThrough: 2);

        var bundle = await new ObservationBundleBuilder(_store, new FakeTimeProvider(T0)).BuildAsync(g.Patient, null, default);

        var observations = bundle.Entry.Select(e => e.Resource).OfType<Observation>().ToList();
        Assert.Equal(4, observations.Count);
        Assert.Equal([37.12m, 37.13m, null], observations.Take(3).Select(o => (o.Value as Quantity)?.Value));
        Assert.Equal(["2026-11-27T16:00:00+00:00", "2026-11-27T16:00:10+00:00", "2026-11-27T16:00:20+00:00"], observations.Take(3).Select(o => Assert.IsType<FhirDateTime>(o.Effective).Value));
        Assert.Equal("error", observations[2].DataAbsentReason!.Coding[0].Code);
        Assert.Equal("0.1 -0.25 E 1.5", Assert.IsType<SampledData>(observations[3].Value).Data);
        Assert.Equal(4, observations.Select(o => o.Id).Distinct().Count());
        Assert.Single(bundle.Entry.Select(e => e.Resource).OfType<Provenance>());
    }

    [Fact]
    public async System.Threading.Tasks.Task Bundle_LeavesOutRecordsNotYetVerified_AndOlderThanSince()
    {
        using var g = new SimulatedGateway("ward7", "bed-3", T0, policy: new CheckpointPolicy { MaxRecords = 3, MaxDelay = TimeSpan.FromHours(1) });
        var records = new List<ChainRecord> { g.All[0] };
        records.AddRange(g.ProduceObs(2, T0));
        records.AddRange(g.ProduceObs(2, T0.AddMinutes(1)));

        // seq 0 genesis, 1-2 obs, 3 checkpoint, 4-5 obs (not yet covered); only 0..3 verified.
        await StoreSeeder.SeedAsync(_store, "ward7", records, verifiedThrough: 3);
        var builder = new ObservationBundleBuilder(_store, new FakeTimeProvider(T0));
        Assert.Equal(2, (await builder.BuildAsync(g.Patient, null, default)).Total);
        Assert.Equal(0, (await builder.BuildAsync(g.Patient, T0.AddSeconds(30), default)).Total);
        Assert.Equal(0, (await builder.BuildAsync("p-nobody", null, default)).Total);
    }
}
