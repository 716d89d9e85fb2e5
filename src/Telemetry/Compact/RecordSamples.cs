namespace EdgeTwin.Telemetry.Compact;

using System.Text;
using System.Text.Json;
using EdgeTwin.Telemetry.Records;

/// <summary>How many samples a record carries (an <c>obs</c> body's <c>v</c>, an <c>obs-compact</c> body decoded), for reports and benchmarks.</summary>
public static class RecordSamples
{
    /// <summary>The record's kind and its samples; 0 for a kind without samples or a body that does not read.</summary>
    public static (string Kind, int Samples) Count(ReadOnlySpan<byte> payload)
    {
        try
        {
            var reader = new Utf8JsonReader(payload);
            using var doc = JsonDocument.ParseValue(ref reader);
            var kind = doc.RootElement.TryGetProperty("kind", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString()! : string.Empty;
            if (!RecordKinds.CarriesSamples(kind) || !doc.RootElement.TryGetProperty("body", out var body) || body.ValueKind != JsonValueKind.Object)
            {
                return (kind, 0);
            }

            if (kind == RecordKinds.Obs)
            {
                return (kind, body.TryGetProperty("v", out var v) && v.ValueKind == JsonValueKind.Array ? v.GetArrayLength() : 0);
            }

            return (kind, CompactBodyReader.TryRead(Encoding.UTF8.GetBytes(body.GetRawText()), out _)?.SampleCount ?? 0);
        }
        catch (JsonException)
        {
            return (string.Empty, 0);
        }
    }
}
