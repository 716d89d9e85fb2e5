namespace EdgeTwin.Ingest.Processing;

using System.Globalization;
using System.Text.Json;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Wire;

/// <summary>
/// The members the ingest needs before verification (to find and lock the chain) and for queries
/// afterwards. Only reads; the verifier decides whether the record is any good.
/// </summary>
internal sealed record RecordHeader(string Gw, string Lane, string Epoch, long Seq, string Kind, DateTimeOffset? Ts, string? Patient, string? Code, string? GenesisReason)
{
    /// <summary>A genesis record's <c>key</c>.</summary>
    public string? GenesisKey { get; init; }

    /// <summary>A genesis record's key-rotation link (docs/protocol.md §4), when it carries a well-formed one.</summary>
    public KeyRotationLink? Rotation { get; init; }

    /// <summary>Why a genesis record's <c>rotation</c> member is not a link, when it is not.</summary>
    public string? RotationProblem { get; init; }

    /// <summary>
    /// The header of <paramref name="payload"/>, or why it has none. A record of any kind but genesis with
    /// every member as expected is read in one pass of a <see cref="Utf8JsonReader"/>, its samples skipped
    /// (a DOM of a 250-sample ECG record was most of this method's time); anything else (genesis, a member
    /// missing or of another type, malformed JSON) is read by <see cref="TryParseDocument"/>, which gives
    /// every answer and problem text. Both take the last of repeated members, as <see cref="JsonElement.TryGetProperty(string, out JsonElement)"/> does.
    /// <paramref name="topicGw"/>, the gateway the topic names, is only a string to reuse when the record names the same.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, out RecordHeader? header, out string? problem, string? topicGw = null)
    {
        if (TryRead(payload, topicGw) is { } read)
        {
            header = read;
            problem = null;
            return true;
        }

        return TryParseDocument(payload, out header, out problem);
    }

    /// <summary>The header read through a <see cref="JsonDocument"/>: every case, every problem named.</summary>
    internal static bool TryParseDocument(ReadOnlySpan<byte> payload, out RecordHeader? header, out string? problem)
    {
        header = null;
        try
        {
            var reader = new Utf8JsonReader(payload);
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                problem = "malformed: not a JSON object";
                return false;
            }

            if (!Str(root, "gw", out var gw) || !Str(root, "lane", out var lane) || !Str(root, "epoch", out var epoch) || !Str(root, "kind", out var kind)
                || !root.TryGetProperty("seq", out var seqEl) || !seqEl.TryGetInt64(out var seq) || seq < 0)
            {
                problem = "malformed: gw, lane, epoch, seq or kind missing or of the wrong type";
                return false;
            }

            DateTimeOffset? ts = Str(root, "ts", out var tsText) && DateTimeOffset.TryParse(tsText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
            string? patient = null, code = null, reason = null, key = null;
            KeyRotationLink? rotation = null;
            string? rotationProblem = null;
            if (root.TryGetProperty("body", out var body) && body.ValueKind == JsonValueKind.Object)
            {
                _ = Str(body, "patient", out patient);
                _ = Str(body, "code", out code);
                _ = Str(body, "reason", out reason);
                if (kind == RecordKinds.Genesis)
                {
                    _ = Str(body, "key", out key);
                    rotation = KeyRotationLink.Read(body, out rotationProblem);
                }
            }

            header = new RecordHeader(gw!, lane!, epoch!, seq, kind!, ts, patient, code, kind == RecordKinds.Genesis ? reason : null)
            {
                GenesisKey = key,
                Rotation = rotation,
                RotationProblem = rotationProblem,
            };
            problem = null;
            return true;
        }
        catch (JsonException e)
        {
            problem = $"malformed: {e.Message}";
            return false;
        }
    }

    /// <summary>
    /// The one-pass read: null whenever <see cref="TryParseDocument"/> must decide (genesis, a required
    /// member missing or of another type, anything the reader refuses). The gateway, lane and kind are the
    /// strings already held when they are the expected ones (<paramref name="topicGw"/>, the protocol's lanes
    /// and kinds) and a time stamp in the protocol's form is read from the bytes: a record costs
    /// only the strings that differ from record to record (epoch, patient, code).
    /// </summary>
    internal static RecordHeader? TryRead(ReadOnlySpan<byte> payload, string? topicGw = null)
    {
        try
        {
            var reader = new Utf8JsonReader(payload);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            string? gw = null, lane = null, epoch = null, kind = null, patient = null, code = null;
            DateTimeOffset? time = null;
            long? seq = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("gw"u8))
                {
                    gw = ReadString(ref reader, topicGw);
                }
                else if (reader.ValueTextEquals("lane"u8))
                {
                    lane = ReadString(ref reader, static v => WireNames.TryParseLane(v, out var known) ? WireNames.Of(known) : null);
                }
                else if (reader.ValueTextEquals("epoch"u8))
                {
                    epoch = ReadString(ref reader);
                }
                else if (reader.ValueTextEquals("kind"u8))
                {
                    kind = ReadString(ref reader, RecordKinds.Known);
                }
                else if (reader.ValueTextEquals("ts"u8))
                {
                    time = ReadTime(ref reader);
                }
                else if (reader.ValueTextEquals("seq"u8))
                {
                    reader.Read();
                    seq = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var n) ? n : null;
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("body"u8))
                {
                    // The last body counts: what an earlier one said is forgotten.
                    patient = code = null;
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        reader.Skip();
                        continue;
                    }

                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        if (reader.ValueTextEquals("patient"u8))
                        {
                            patient = ReadString(ref reader);
                        }
                        else if (reader.ValueTextEquals("code"u8))
                        {
                            code = ReadString(ref reader);
                        }
                        else
                        {
                            reader.Read();
                            reader.Skip();
                        }
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || gw is null || lane is null || epoch is null || kind is null || seq is not { } s || s < 0
                || kind == RecordKinds.Genesis)
            {
                return null;
            }

            return new RecordHeader(gw, lane, epoch, s, kind, time, patient, code, null);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a string that is not UTF-8. The document read names it.
            return null;
        }
    }

    /// <summary>
    /// A stored record's <c>prev</c> (lower case; the last of repeated members, as the verifier takes it), null
    /// when it has none as a string. Apart from <see cref="TryRead"/>: the header on the hot path needs no prev.
    /// </summary>
    internal static string? ReadPrev(ReadOnlySpan<byte> payload)
    {
        try
        {
            var reader = new Utf8JsonReader(payload);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            string? prev = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("prev"u8))
                {
                    prev = ReadString(ref reader)?.ToLowerInvariant();
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            return prev;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The value after the current property name: its text if it is a string, else null (skipped).</summary>
    private static string? ReadString(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }

        reader.Skip();
        return null;
    }

    /// <summary>As <see cref="ReadString(ref Utf8JsonReader)"/>, <paramref name="expected"/> itself when the value is that text.</summary>
    private static string? ReadString(ref Utf8JsonReader reader, string? expected)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
        {
            return expected is not null && reader.ValueTextEquals(expected) ? expected : reader.GetString();
        }

        reader.Skip();
        return null;
    }

    /// <summary>As <see cref="ReadString(ref Utf8JsonReader)"/>, the string <paramref name="known"/> holds for the value when it holds one (an escaped value is read as text).</summary>
    private static string? ReadString(ref Utf8JsonReader reader, Func<ReadOnlySpan<byte>, string?> known)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
        {
            return (reader.ValueIsEscaped ? null : known(reader.ValueSpan)) ?? reader.GetString();
        }

        reader.Skip();
        return null;
    }

    /// <summary>
    /// The <c>ts</c> value as the document read takes it (<see cref="DateTimeOffset.TryParse(string, IFormatProvider, DateTimeStyles, out DateTimeOffset)"/>,
    /// invariant, universal unless it says otherwise), null when it is not a string or not a time. The
    /// protocol's form (RFC 3339 UTC, <c>Z</c>, unescaped) is read from the bytes; anything else through the text.
    /// </summary>
    private static DateTimeOffset? ReadTime(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            return null;
        }

        if (!reader.ValueIsEscaped && ProtocolForm(reader.ValueSpan) && reader.TryGetDateTimeOffset(out var fast))
        {
            return fast;
        }

        return DateTimeOffset.TryParse(reader.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
    }

    /// <summary>
    /// <c>yyyy-MM-ddTHH:mm:ss</c>, then none or 1-7 digits of the second after a point, then <c>Z</c>: where
    /// the bytes' read and the text's agree (beyond 7 digits one truncates, the other rounds; a point with no
    /// digit only one takes). The digits themselves are left to the read.
    /// </summary>
    private static bool ProtocolForm(ReadOnlySpan<byte> v)
    {
        if (v.Length < 20 || v.Length == 21 || v.Length > 28 || v[10] != (byte)'T' || v[^1] != (byte)'Z')
        {
            return false;
        }

        if (v.Length == 20)
        {
            return true;
        }

        return v[19] == (byte)'.' && !v[20..^1].ContainsAnyExceptInRange((byte)'0', (byte)'9');
    }

    private static bool Str(JsonElement obj, string name, out string? value)
    {
        value = obj.TryGetProperty(name, out var el) && el.ValueKind == JsonValueKind.String ? el.GetString() : null;
        return value is not null;
    }
}
