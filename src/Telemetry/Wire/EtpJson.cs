namespace EdgeTwin.Telemetry.Wire;

using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

/// <summary>
/// JSON writing helpers that keep our output in one canonical form: compact, members in the order
/// written, ECMAScript number text, strings escaped only where JSON requires it.
/// </summary>
internal static class EtpJson
{
    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = false,
    };

    public static void WriteNumber(Utf8JsonWriter writer, string name, double value)
    {
        writer.WritePropertyName(name);
        WriteNumberValue(writer, value);
    }

    public static void WriteNumberValue(Utf8JsonWriter writer, double value)
    {
        Span<byte> text = stackalloc byte[EtpNumber.MaxLength];
        var length = EtpNumber.Format(value, text);
        writer.WriteRawValue(text[..length], skipInputValidation: true);
    }

    public static void WriteNullableNumber(Utf8JsonWriter writer, string name, double? value)
    {
        writer.WritePropertyName(name);
        if (value is { } v && double.IsFinite(v))
        {
            WriteNumberValue(writer, v);
        }
        else
        {
            writer.WriteNullValue();
        }
    }

    public static void WriteTimestamp(Utf8JsonWriter writer, string name, DateTimeOffset time)
    {
        Span<byte> text = stackalloc byte[EtpTime.Length];
        EtpTime.Format(time, text);
        writer.WriteString(name, text);
    }

    /// <summary>Writes a caller's JSON tree with our number rule, so events stay canonical too.</summary>
    public static void WriteNode(Utf8JsonWriter writer, JsonNode? node)
    {
        switch (node)
        {
            case null:
                writer.WriteNullValue();
                break;
            case JsonObject obj:
                writer.WriteStartObject();
                foreach (var (name, child) in obj)
                {
                    writer.WritePropertyName(name);
                    WriteNode(writer, child);
                }

                writer.WriteEndObject();
                break;
            case JsonArray array:
                writer.WriteStartArray();
                foreach (var child in array)
                {
                    WriteNode(writer, child);
                }

                writer.WriteEndArray();
                break;
            default:
                WriteScalar(writer, node.AsValue());
                break;
        }
    }

    private static void WriteScalar(Utf8JsonWriter writer, JsonValue value)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                writer.WriteStringValue(value.GetValue<string>());
                break;
            case JsonValueKind.True:
                writer.WriteBooleanValue(true);
                break;
            case JsonValueKind.False:
                writer.WriteBooleanValue(false);
                break;
            case JsonValueKind.Number:
                var number = value.TryGetValue<double>(out var d) ? d : double.Parse(value.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture);
                if (!double.IsFinite(number))
                {
                    throw new ArgumentException("event field numbers must be finite", nameof(value));
                }

                WriteNumberValue(writer, number);
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }
}
