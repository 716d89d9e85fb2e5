namespace EdgeTwin.Gateway.Tests.Twin.Persistence;

using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Gateway.Twin.Binding;
using EdgeTwin.Gateway.Twin.Model;
using EdgeTwin.Gateway.Twin.Persistence;
using EdgeTwin.Telemetry.Desired;

/// <summary>
/// The twin store's snapshot JSON is generated at build time (NativeAOT has no reflection-based
/// serializer); it must write exactly what the reflection serializer with the former options wrote,
/// and read it, so stores written before stay readable and nothing in the snapshot is left out.
/// </summary>
public sealed class TwinJsonTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 5, 10, 30, 15, 123, TimeSpan.Zero);

    /// <summary>The options the store used before: web defaults, enums by camelCase name, by reflection.</summary>
    private static readonly JsonSerializerOptions Reflection = new(JsonSerializerDefaults.Web)
    {
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    [Fact]
    public void Serialize_WritesWhatTheReflectionSerializerWrote()
    {
        var snapshot = Everything();

        var generated = JsonSerializer.Serialize(snapshot, TwinJson.Snapshot);

        Assert.Equal(JsonSerializer.Serialize(snapshot, Reflection), generated);
        // The enums by camelCase name, also as dictionary keys.
        Assert.Contains("\"waveforms\":false", generated, StringComparison.Ordinal);
        Assert.Contains("\"health\":\"degraded\"", generated, StringComparison.Ordinal);
        Assert.Contains("\"action\":\"transfer\"", generated, StringComparison.Ordinal);
    }

    [Fact]
    public void Deserialize_ReadsWhatTheReflectionSerializerWrote()
    {
        var written = JsonSerializer.Serialize(Everything(), Reflection);

        var read = JsonSerializer.Deserialize(written, TwinJson.Snapshot)!;

        Assert.Equal(written, JsonSerializer.Serialize(read, Reflection));
        Assert.Equal(2, read.Patients[0].Vitals.Length);
        Assert.False(read.Consent["p-1"][StreamClass.Waveforms]);
    }

    private static TwinSnapshot Everything()
    {
        var rates = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("ecg", 250.0)]);
        var consent = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [
            KeyValuePair.Create("p-1", ImmutableSortedDictionary.CreateRange([KeyValuePair.Create(StreamClass.Vitals, true), KeyValuePair.Create(StreamClass.Waveforms, false)])),
        ]);
        var overlay = new DesiredSettings(
            ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("sim-bed-1", new DeviceChange(true, rates))]),
            ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("spo2-low", 91.5)]),
            128,
            TimeSpan.FromMilliseconds(1500),
            1L << 28,
            consent,
            [new DesiredBinding(BindingAction.Transfer, "MRN-1", "bed-2", ["sim-bed-2"], At)],
            ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("MRN-1", true)]));
        var missing = ImmutableDictionary.CreateRange([KeyValuePair.Create("rr", "stale")]);
        var patient = new PatientTwin(
            "p-1",
            [new VitalReading("8867-4", "/min", 72, At, "sim-bed-1"), new VitalReading("59408-5", "%", null, At, "sim-bed-1")],
            [new ScoreReading("news2", 5, At, "medium", missing, ImmutableDictionary.CreateRange([KeyValuePair.Create("hr", "8867-4")]))],
            [new AlarmReading("spo2-low", "active", "high", At, new AlarmResponse("accepted", "nurse-7", At, "alert-1"))]);
        return new TwinSnapshot(
            7,
            9,
            new DesiredRejection(8, "stale-version", At),
            overlay,
            consent,
            [new BindingWindow("p-1", "bed-1", ["sim-bed-1"], At.AddHours(-2), At)],
            [new DeviceTwin("sim-bed-1", "sim", "SN-1", "1.0", DeviceHealth.Degraded, At)],
            [patient])
        {
            Hypercapnic = ["p-1"],
        };
    }
}
