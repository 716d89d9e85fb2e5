namespace EdgeTwin.Telemetry.Capture;

using System.Buffers;
using System.Text;
using System.Text.Json;
using EdgeTwin.Telemetry.Wire;

/// <summary>
/// The capture format of tests, vectors and auditors: JSON lines <c>{"topic":"..","b64":".."}</c>,
/// one per MQTT message, payload in standard base64 so the bytes survive exactly.
/// </summary>
public static class CaptureFile
{
    public const string MalformedLine = "malformed-line";
    public const string BadBase64 = "bad-base64";

    /// <summary>Reads every non-blank line; bad lines are returned with a named problem.</summary>
    public static IEnumerable<CaptureEntry> Read(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return ReadLines(reader);
    }

    public static void Write(TextWriter writer, string topic, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(topic);
        var buffer = new ArrayBufferWriter<byte>(payload.Length * 4 / 3 + topic.Length + 32);
        using (var json = new Utf8JsonWriter(buffer, EtpJson.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("topic", topic);
            json.WriteBase64String("b64", payload);
            json.WriteEndObject();
        }

        writer.Write(Encoding.UTF8.GetString(buffer.WrittenSpan));
        writer.Write('\n');
    }

    private static IEnumerable<CaptureEntry> ReadLines(TextReader reader)
    {
        long number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            yield return Parse(number, line);
        }
    }

    private static CaptureEntry Parse(long number, string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("topic", out var topic) || topic.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("b64", out var b64) || b64.ValueKind != JsonValueKind.String)
            {
                return new CaptureEntry(number, null, null, MalformedLine);
            }

            return b64.TryGetBytesFromBase64(out var payload)
                ? new CaptureEntry(number, topic.GetString(), payload, null)
                : new CaptureEntry(number, topic.GetString(), null, BadBase64);
        }
        catch (JsonException)
        {
            return new CaptureEntry(number, null, null, MalformedLine);
        }
    }
}
