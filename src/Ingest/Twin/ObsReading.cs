namespace EdgeTwin.Ingest.Twin;

using System.Globalization;
using System.Text.Json;

/// <summary>The body of a stored <c>obs</c> record (PROTOCOL §4), read back for the twin and FHIR.</summary>
internal sealed record ObsReading(string Patient, string Device, string Code, string Unit, DateTimeOffset T0, double Dt, IReadOnlyList<double?> Values)
{
    public DateTimeOffset TimeOf(int index) => T0 + TimeSpan.FromMilliseconds(Dt * index);

    public static ObsReading? TryRead(byte[] payload)
    {
        try
        {
            using var doc = JsonDocument.Parse(payload);
            var b = doc.RootElement.GetProperty("body");
            var values = b.GetProperty("v").EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Number ? v.GetDouble() : (double?)null).ToList();
            return new ObsReading(
                b.GetProperty("patient").GetString()!,
                b.GetProperty("device").GetString()!,
                b.GetProperty("code").GetString()!,
                b.GetProperty("unit").GetString()!,
                DateTimeOffset.Parse(b.GetProperty("t0").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                b.GetProperty("dt").GetDouble(),
                values);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
