namespace EdgeTwin.Integration.Tests.Ingest;

using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Gateway.Pipeline;
using EdgeTwin.Ingest.Tests.Integration;
using EdgeTwin.Integration.Tests.Support;
using EdgeTwin.Telemetry.Signing;
using Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Issue 16's proof: the real gateway with compact bodies (`Recorder:Compact`, vitals every 5 s)
/// -> mosquitto -> the real ingest; the records on the wire are `obs-compact`, and the ingest's FHIR
/// export carries, per vital sign, the very samples the gateway's drivers produced (within half the
/// stream's quantum), in order, none missing and none added. The samples are taken from the
/// pipeline, not decoded from the records: the test does not use the decoder it checks. The ECG and
/// pleth go on the resolution the simulator states (0.005 mV, 0.001), so their exported values are
/// exactly the samples produced.
/// </summary>
public sealed class CompactBodiesEndToEndTests
{
    private static readonly TimeSpan Wait60 = TimeSpan.FromSeconds(60);

    /// <summary>The quanta of the vital signs the simulator produces (docs/operations.md, "Records on a metered link").</summary>
    private static readonly Dictionary<string, double> Quanta = new()
    {
        ["loinc:8867-4"] = 1, ["loinc:59408-5"] = 1, ["loinc:9279-1"] = 1, ["loinc:8310-5"] = 0.01,
        ["loinc:8480-6"] = 1, ["loinc:8462-4"] = 1,
    };

    [Fact]
    public async Task CompactRecords_ThroughMosquittoAndTheIngest_FhirExportCarriesTheSamplesSent()
    {
        using var mosquitto = new Mosquitto();
        await using var capture = await Capture.StartAsync(mosquitto.Port);
        var data = Directory.CreateTempSubdirectory("edgetwin-it-compact-").FullName;
        var keyPath = Path.Combine(data, "gateway.key");
        string address;
        using (var key = GatewayKey.Generate())
        {
            key.SaveToFile(keyPath);
            address = key.Address;
        }

        await using var ingest = await InProcessIngest.StartAsync(mosquitto.Url, [$"--Ingest:Enrolled:gw-it={address}"]);
        var http = ingest.Http;
        var sent = new SamplesSent();
        var gateway = await InProcessGateway.StartAsync(
            InProcessGateway.Args(data, mosquitto.Port, "--Simulation:Beds=1", "--Recorder:Compact=true", "--Recorder:VitalsInterval=00:00:05", $"--Gateway:KeyFile={keyPath}"),
            services => services.AddSingleton<ISampleObserver>(sent));

        await Wait.UntilAsync(() => capture.Records("telemetry").Count(p => Kind(p) == "obs-compact") >= 4, Wait60, "four compact records on the wire");
        await gateway.StopAsync();
        await gateway.DisposeAsync();

        var compact = capture.Records("telemetry").Where(p => Kind(p) == "obs-compact").ToList();
        var patient = JsonDocument.Parse(compact[0]).RootElement.GetProperty("body").GetProperty("patient").GetString()!;
        Assert.DoesNotContain(capture.Records("telemetry"), p => Kind(p) == "obs" && IsVital(p));

        // Everything the gateway wrote is verified (its closing checkpoint aside) before the export is read.
        var telemetryHead = capture.Records("telemetry").Max(p => JsonDocument.Parse(p).RootElement.GetProperty("seq").GetInt64());
        await Wait.UntilAsync(
            () => http.GetFromJsonAsync<JsonArray>("/api/chains").GetAwaiter().GetResult()!
                .Any(c => (string)c!["lane"]! == "telemetry" && (long)c["verifiedThrough"]! == telemetryHead - 1),
            Wait60,
            "the ingest to verify the telemetry chain through its closing checkpoint");

        var bundle = JsonNode.Parse(await http.GetStringAsync($"/api/patients/{patient}/observations"))!;
        var exported = new Dictionary<string, List<(DateTimeOffset At, double? Value)>>();
        var waveforms = new Dictionary<string, List<(DateTimeOffset At, List<double?> Values)>>();
        foreach (var entry in bundle["entry"]!.AsArray())
        {
            var o = entry!["resource"]!;
            if ((string?)o["resourceType"] == "Observation" && (string?)o["code"]!["coding"]![0]!["system"] == "urn:iso:std:iso:11073:10101")
            {
                var points = ((string)o["valueSampledData"]!["data"]!).Split(' ').Select(d => d == "E" ? (double?)null : double.Parse(d, System.Globalization.CultureInfo.InvariantCulture)).ToList();
                var at = DateTimeOffset.Parse((string)o["effectivePeriod"]!["start"]!, System.Globalization.CultureInfo.InvariantCulture);
                var mdc = "mdc:" + (string)o["code"]!["coding"]![0]!["code"]!;
                (waveforms.TryGetValue(mdc, out var runs) ? runs : waveforms[mdc] = []).Add((at, points));
                continue;
            }

            if ((string?)o["resourceType"] != "Observation" || (string?)o["code"]!["coding"]![0]!["system"] != "http://loinc.org")
            {
                continue;
            }

            var code = "loinc:" + (string)o["code"]!["coding"]![0]!["code"]!;
            var value = o["valueQuantity"] is { } q ? (double?)q["value"]!.GetValue<decimal>() : null;
            (exported.TryGetValue(code, out var list) ? list : exported[code] = []).Add((DateTimeOffset.Parse((string)o["effectiveDateTime"]!, System.Globalization.CultureInfo.InvariantCulture), value));
        }

        var produced = sent.Of(patientDevice: "sim-bed-1");
        Assert.NotEmpty(produced);
        foreach (var (code, samples) in produced)
        {
            Assert.True(exported.TryGetValue(code, out var got), $"{code}: nothing exported");
            var values = got!.OrderBy(g => g.At).Select(g => g.Value).ToList();
            Assert.True(samples.Count == values.Count, $"{code}: {samples.Count} samples produced, {values.Count} exported");
            var half = Quanta.GetValueOrDefault(code, 1) / 2 + 1e-9;
            for (var i = 0; i < samples.Count; i++)
            {
                Assert.True(
                    samples[i] is null ? values[i] is null : values[i] is { } v && Math.Abs(v - samples[i]!.Value) <= half,
                    $"{code} sample {i}: produced {samples[i]?.ToString() ?? "null"}, exported {values[i]?.ToString() ?? "null"}");
            }
        }

        var producedWaves = sent.Waveforms(patientDevice: "sim-bed-1");
        Assert.Equal(["mdc:131330", "mdc:150452"], producedWaves.Keys.Order(StringComparer.Ordinal));
        foreach (var (code, samples) in producedWaves)
        {
            Assert.True(waveforms.TryGetValue(code, out var runs), $"{code}: nothing exported");
            var values = runs!.OrderBy(r => r.At).SelectMany(r => r.Values).ToList();
            Assert.True(samples.Count == values.Count, $"{code}: {samples.Count} samples produced, {values.Count} exported");
            Assert.Equal(samples, values);
        }

        Directory.Delete(data, recursive: true);
    }

    private static string? Kind(byte[] payload) => JsonDocument.Parse(payload).RootElement.GetProperty("kind").GetString();

    private static bool IsVital(byte[] payload) =>
        JsonDocument.Parse(payload).RootElement.GetProperty("body").TryGetProperty("code", out var c) && c.GetString()!.StartsWith("loinc:", StringComparison.Ordinal);

    /// <summary>Every sample the pipeline saw, per device and code, in the order it came.</summary>
    private sealed class SamplesSent : ISampleObserver
    {
        private readonly ConcurrentQueue<Sample> _samples = new();

        public void OnSample(in Sample sample)
        {
            _samples.Enqueue(sample);
        }

        public Dictionary<string, List<double?>> Of(string patientDevice) => Where(patientDevice, "loinc:");

        public Dictionary<string, List<double?>> Waveforms(string patientDevice) => Where(patientDevice, "mdc:");

        private Dictionary<string, List<double?>> Where(string device, string system) =>
            _samples.Where(s => s.DeviceId == device && s.Stream.Code.StartsWith(system, StringComparison.Ordinal)).GroupBy(s => s.Stream.Code)
                .ToDictionary(g => g.Key, g => g.OrderBy(s => s.Timestamp).Select(s => s.Value).ToList());
    }
}
