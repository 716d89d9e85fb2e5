namespace EdgeTwin.Telemetry.Compact;

using System.Text;
using System.Text.Json;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Wire;

/// <summary>
/// Reads an <c>obs-compact</c> body (the JSON object alone) strictly: every member once and of its
/// form, every sample string decoding to exactly <c>n</c> samples. Returns the problem instead of
/// throwing (<see cref="CompactProblems"/> or the name of the member at fault).
/// </summary>
public static class CompactBodyReader
{
    /// <summary>Most samples one stream may declare: a record is at most 64 KiB and a sample at least one base64 character.</summary>
    public const int MaxSamples = Limits.MaxRecordBytes;

    public static CompactObsBody? TryRead(ReadOnlySpan<byte> body, out string? problem)
    {
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                problem = CompactProblems.Streams;
                return null;
            }

            return ReadBody(ref reader, out problem);
        }
        catch (JsonException)
        {
            problem = CompactProblems.Streams;
            return null;
        }
    }

    private static CompactObsBody? ReadBody(ref Utf8JsonReader reader, out string? problem)
    {
        string? patient = null, device = null;
        List<CompactStream>? streams = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = Known(ref reader, "patient", "device", "streams");
            reader.Read();
            switch (name)
            {
                case "patient" when patient is null && TryText(ref reader, out patient):
                case "device" when device is null && TryText(ref reader, out device):
                    continue;
                case "streams" when streams is null && reader.TokenType == JsonTokenType.StartArray:
                    streams = ReadStreams(ref reader, out problem);
                    if (streams is null)
                    {
                        return null;
                    }

                    continue;
                case null:
                    reader.Skip();
                    continue;
                default:
                    problem = name;
                    return null;
            }
        }

        problem = patient is null ? "patient" : device is null ? "device" : streams is null ? CompactProblems.Streams : null;
        return problem is null ? new CompactObsBody(patient!, device!, streams!) : null;
    }

    private static List<CompactStream>? ReadStreams(ref Utf8JsonReader reader, out string? problem)
    {
        var streams = new List<CompactStream>();
        problem = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var stream = reader.TokenType == JsonTokenType.StartObject ? ReadStream(ref reader, out problem) : null;
            if (stream is null)
            {
                problem ??= CompactProblems.Streams;
                return null;
            }

            streams.Add(stream);
        }

        problem = streams.Count == 0 ? CompactProblems.Streams : null;
        return problem is null ? streams : null;
    }

    private static CompactStream? ReadStream(ref Utf8JsonReader reader, out string? problem)
    {
        string? code = null, unit = null;
        Quantum? q = null;
        DateTimeOffset? t0 = null;
        double? dt = null;
        int? n = null;
        byte[]? d = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = Known(ref reader, "code", "unit", "q", "t0", "dt", "n", "d");
            reader.Read();
            var ok = name switch
            {
                null => Skip(ref reader),
                "code" => code is null && TryText(ref reader, out code),
                "unit" => unit is null && reader.TokenType == JsonTokenType.String && (unit = reader.GetString()) is not null,
                "q" => q is null && TryQuantum(ref reader, out q),
                "t0" => t0 is null && TryTime(ref reader, out t0),
                "dt" => dt is null && TryDt(ref reader, out dt),
                "n" => n is null && TryCount(ref reader, out n),
                _ => d is null && reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && !reader.HasValueSequence && (d = reader.ValueSpan.ToArray()) is not null,
            };
            if (!ok)
            {
                problem = name;
                return null;
            }
        }

        problem = code is null ? "code" : unit is null ? "unit" : q is null ? "q" : t0 is null ? "t0" : dt is null ? "dt" : n is null ? "n" : d is null ? "d" : null;
        if (problem is not null)
        {
            return null;
        }

        var values = new List<double?>(n!.Value);
        problem = CompactSamples.TryDecode(d, n.Value, q!, values);
        return problem is null ? new CompactStream(code!, unit!, q!, t0!.Value, dt!.Value, values) : null;
    }

    /// <summary>The member's name when it is one of <paramref name="names"/> written without escapes; null for any other.</summary>
    private static string? Known(ref Utf8JsonReader reader, params string[] names)
    {
        if (reader.ValueIsEscaped)
        {
            return null;
        }

        foreach (var name in names)
        {
            if (reader.ValueTextEquals(name))
            {
                return name;
            }
        }

        return null;
    }

    private static bool Skip(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return true;
    }

    private static bool TryText(ref Utf8JsonReader reader, out string? value)
    {
        value = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        return !string.IsNullOrEmpty(value);
    }

    private static bool TryQuantum(ref Utf8JsonReader reader, out Quantum? q)
    {
        q = null;
        return reader.TokenType == JsonTokenType.Number && !reader.HasValueSequence
            && Quantum.TryParse(Encoding.ASCII.GetString(reader.ValueSpan), out q);
    }

    private static bool TryTime(ref Utf8JsonReader reader, out DateTimeOffset? t0)
    {
        t0 = null;
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || reader.HasValueSequence || !Syntax.IsTimestamp(reader.ValueSpan))
        {
            return false;
        }

        t0 = EtpTime.TryParse(reader.ValueSpan, out var time) ? time : null;
        return t0 is not null;
    }

    private static bool TryDt(ref Utf8JsonReader reader, out double? dt)
    {
        dt = reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var v) && double.IsFinite(v) && v >= 0 ? v : null;
        return dt is not null;
    }

    private static bool TryCount(ref Utf8JsonReader reader, out int? n)
    {
        n = reader.TokenType == JsonTokenType.Number && reader.ValueSpan.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0
            && reader.TryGetInt32(out var v) && v is >= 1 and <= MaxSamples ? v : null;
        return n is not null;
    }
}
