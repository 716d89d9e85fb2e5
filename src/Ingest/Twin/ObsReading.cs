namespace EdgeTwin.Ingest.Twin;

using System.Globalization;
using System.Text;
using System.Text.Json;
using EdgeTwin.Telemetry.Compact;
using EdgeTwin.Telemetry.Records;

/// <summary>
/// One stream's run of a stored record, read back for the twin and FHIR: the body of an <c>obs</c>
/// record (PROTOCOL §4), or one stream of an <c>obs-compact</c> record decoded to its values
/// (docs/protocol.md §4, "Compact observations").
/// </summary>
internal sealed record ObsReading(string Patient, string Device, string Code, string Unit, DateTimeOffset T0, double Dt, IReadOnlyList<double?> Values)
{
    public DateTimeOffset TimeOf(int index) => T0 + TimeSpan.FromMilliseconds(Dt * index);

    /// <summary>The runs a record carries: one for <c>obs</c>, one per stream for <c>obs-compact</c>, none for another kind or an unreadable body.</summary>
    public static IReadOnlyList<ObsReading> ReadAll(string kind, byte[] payload)
    {
        if (kind == RecordKinds.Obs)
        {
            return TryRead(payload) is { } plain ? [plain] : [];
        }

        if (kind != RecordKinds.ObsCompact)
        {
            return [];
        }

        try
        {
            using var doc = JsonDocument.Parse(payload);
            var body = CompactBodyReader.TryRead(Encoding.UTF8.GetBytes(doc.RootElement.GetProperty("body").GetRawText()), out _);
            return body is null
                ? []
                : [.. body.Streams.Select(s => new ObsReading(body.Patient, body.Device, s.Code, s.Unit, s.T0, s.Dt, s.Values))];
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return [];
        }
    }

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
