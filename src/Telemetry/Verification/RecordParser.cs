namespace EdgeTwin.Telemetry.Verification;

using System.Text;
using System.Text.Json;
using EdgeTwin.Telemetry.Compact;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Wire;

/// <summary>
/// Reads one record with <see cref="Utf8JsonReader"/>: the envelope members in any order, each at most
/// once, then the body members verification needs (genesis key, checkpoint sig, gap range) and the
/// whole of an <c>obs-compact</c> body (its samples must decode: a record nobody can read is refused).
/// Returns a named problem instead of throwing. Reuses the gw/epoch strings of the previous record.
/// </summary>
internal sealed class RecordParser
{
    [Flags]
    private enum Seen
    {
        None = 0,
        Etp = 1,
        Gw = 2,
        Lane = 4,
        Epoch = 8,
        Seq = 16,
        Prev = 32,
        Ts = 64,
        Clock = 128,
        Kind = 256,
        Body = 512,
        All = 1023,
    }

    private static readonly (Seen Flag, string Name)[] Required =
    [
        (Seen.Etp, "etp"), (Seen.Gw, "gw"), (Seen.Lane, "lane"), (Seen.Epoch, "epoch"), (Seen.Seq, "seq"),
        (Seen.Prev, "prev"), (Seen.Ts, "ts"), (Seen.Clock, "clock"), (Seen.Kind, "kind"), (Seen.Body, "body"),
    ];

    private string lastGw = string.Empty;
    private byte[] lastGwBytes = [];
    private string lastEpoch = string.Empty;
    private byte[] lastEpochBytes = [];

    /// <summary>Parses into <paramref name="record"/>; on failure returns the problem, with whatever chain it could name.</summary>
    public string? Parse(ReadOnlySpan<byte> payload, ParsedRecord record)
    {
        try
        {
            return ParseEnvelope(payload, record);
        }
        catch (JsonException)
        {
            return VerifierProblems.MalformedJson;
        }
        catch (InvalidOperationException)
        {
            return VerifierProblems.MalformedJson;
        }
    }

    private string? ParseEnvelope(ReadOnlySpan<byte> payload, ParsedRecord record)
    {
        var reader = new Utf8JsonReader(payload, new JsonReaderOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return VerifierProblems.NotAnObject;
        }

        var seen = Seen.None;
        string? problem = null;
        var bodyStart = -1L;
        var bodyEnd = -1L;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var flag = MemberOf(ref reader);
            reader.Read();
            if (flag == Seen.None)
            {
                reader.Skip();
                continue;
            }

            if ((seen & flag) != 0)
            {
                problem ??= $"{VerifierProblems.DuplicateMember}:{NameOf(flag)}";
                reader.Skip();
                continue;
            }

            seen |= flag;
            if (flag == Seen.Body)
            {
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    problem ??= $"{VerifierProblems.BadMember}:body";
                }

                bodyStart = reader.TokenStartIndex;
                reader.Skip();
                bodyEnd = reader.BytesConsumed;
                continue;
            }

            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                reader.Skip();
                problem ??= flag == Seen.Etp ? VerifierProblems.WrongEtp : $"{VerifierProblems.BadMember}:{NameOf(flag)}";
                continue;
            }

            problem ??= ReadMember(ref reader, flag, record);
        }

        // Trailing bytes after the object make the reader throw (malformed-json) on this Read.
        if (reader.Read())
        {
            return VerifierProblems.MalformedJson;
        }

        if (problem is not null)
        {
            return problem;
        }

        foreach (var (flag, name) in Required)
        {
            if ((seen & flag) == 0)
            {
                return $"{VerifierProblems.MissingMember}:{name}";
            }
        }

        return ParseBody(payload[(int)bodyStart..(int)bodyEnd], record);
    }

    private static Seen MemberOf(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped)
        {
            // An escaped spelling of a member name is not one of ours; treat it as unknown.
            return Seen.None;
        }

        var name = reader.ValueSpan;
        return name switch
        {
            _ when name.SequenceEqual("etp"u8) => Seen.Etp,
            _ when name.SequenceEqual("gw"u8) => Seen.Gw,
            _ when name.SequenceEqual("lane"u8) => Seen.Lane,
            _ when name.SequenceEqual("epoch"u8) => Seen.Epoch,
            _ when name.SequenceEqual("seq"u8) => Seen.Seq,
            _ when name.SequenceEqual("prev"u8) => Seen.Prev,
            _ when name.SequenceEqual("ts"u8) => Seen.Ts,
            _ when name.SequenceEqual("clock"u8) => Seen.Clock,
            _ when name.SequenceEqual("kind"u8) => Seen.Kind,
            _ when name.SequenceEqual("body"u8) => Seen.Body,
            _ => Seen.None,
        };
    }

    private static string NameOf(Seen flag) => Array.Find(Required, r => r.Flag == flag).Name;

    private string? ReadMember(ref Utf8JsonReader reader, Seen flag, ParsedRecord record)
    {
        var isString = reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped;
        var value = reader.HasValueSequence ? default : reader.ValueSpan;
        switch (flag)
        {
            case Seen.Etp:
                return reader.TokenType == JsonTokenType.Number && value.SequenceEqual("1"u8) ? null : VerifierProblems.WrongEtp;
            case Seen.Gw:
                if (!isString || !Syntax.IsName(value))
                {
                    reader.Skip();
                    return $"{VerifierProblems.BadMember}:gw";
                }

                record.Gw = Reuse(value, ref lastGwBytes, ref lastGw);
                return null;
            case Seen.Lane:
                if (isString && WireNames.TryParseLane(value, out var lane))
                {
                    record.Lane = lane;
                    return null;
                }

                reader.Skip();
                return $"{VerifierProblems.BadMember}:lane";
            case Seen.Epoch:
                if (!isString || !Syntax.IsLowerHex(value, 32))
                {
                    reader.Skip();
                    return $"{VerifierProblems.BadMember}:epoch";
                }

                record.Epoch = Reuse(value, ref lastEpochBytes, ref lastEpoch);
                return null;
            case Seen.Seq:
                if (reader.TokenType != JsonTokenType.Number)
                {
                    reader.Skip();
                    return $"{VerifierProblems.BadMember}:seq";
                }

                if (value.IndexOfAny((byte)'.', (byte)'e', (byte)'E') >= 0)
                {
                    return $"{VerifierProblems.BadMember}:seq";
                }

                if (!reader.TryGetInt64(out var seq) || seq < 0 || seq > Limits.MaxSeq)
                {
                    return VerifierProblems.SeqOutOfRange;
                }

                record.Seq = seq;
                return null;
            case Seen.Prev:
                if (isString && Hash32.TryParse(value, out var prev))
                {
                    record.Prev = prev;
                    return null;
                }

                reader.Skip();
                return $"{VerifierProblems.NonHexHash}:prev";
            case Seen.Ts:
                return isString && Syntax.IsTimestamp(value) ? null : SkipWith(ref reader, $"{VerifierProblems.BadMember}:ts");
            case Seen.Clock:
                return isString && (value.SequenceEqual("synced"u8) || value.SequenceEqual("unsynced"u8)) ? null : SkipWith(ref reader, $"{VerifierProblems.BadMember}:clock");
            case Seen.Kind:
                if (!isString || value.Length is 0 or > 32)
                {
                    return SkipWith(ref reader, $"{VerifierProblems.BadMember}:kind");
                }

                record.Kind = KindName(value);
                return null;
            default:
                reader.Skip();
                return null;
        }
    }

    /// <summary>Records of one chain repeat gw and epoch: keep one string instead of one per record.</summary>
    private static string Reuse(ReadOnlySpan<byte> value, ref byte[] lastBytes, ref string last)
    {
        if (!value.SequenceEqual(lastBytes))
        {
            lastBytes = value.ToArray();
            last = Encoding.ASCII.GetString(value);
        }

        return last;
    }

    private static string? SkipWith(ref Utf8JsonReader reader, string problem)
    {
        reader.Skip();
        return problem;
    }

    private static string KindName(ReadOnlySpan<byte> value) => RecordKinds.Known(value) ?? Encoding.UTF8.GetString(value);

    private static string? ParseBody(ReadOnlySpan<byte> body, ParsedRecord record)
    {
        switch (record.Kind)
        {
            case "genesis":
                if (record.Seq != 0)
                {
                    return VerifierProblems.GenesisNotAtSeqZero;
                }

                record.GenesisKey = ReadStrings(body, out var problem, "key")[0];
                return problem ?? (Syntax.IsAddress(record.GenesisKey) ? null : $"{VerifierProblems.BadMember}:body.key");
            case "checkpoint":
                if (record.Seq == 0)
                {
                    return VerifierProblems.CheckpointAtSeqZero;
                }

                record.Sig = ReadStrings(body, out problem, "sig")[0];
                return problem;
            case "gap":
                return ParseGap(body, record);
            case RecordKinds.ObsCompact:
                return CompactBodyReader.TryRead(body, out problem) is null ? $"{VerifierProblems.BadCompact}:{problem}" : null;
            default:
                return null;
        }
    }

    private static string? ParseGap(ReadOnlySpan<byte> body, ParsedRecord record)
    {
        var reader = new Utf8JsonReader(body);
        reader.Read();
        long from = -1, to = -1;
        string? firstPrev = null, lastHash = null;
        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var bit = reader.ValueTextEquals("from"u8) ? 1 : reader.ValueTextEquals("to"u8) ? 2 : reader.ValueTextEquals("firstPrev"u8) ? 4 : reader.ValueTextEquals("lastHash"u8) ? 8 : 0;
            reader.Read();
            if (bit == 0)
            {
                reader.Skip();
                continue;
            }

            if ((seen & bit) != 0)
            {
                return $"{VerifierProblems.DuplicateMember}:body";
            }

            seen |= bit;
            switch (bit)
            {
                case 1 or 2:
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var n) || reader.ValueSpan.IndexOfAny((byte)'.', (byte)'e', (byte)'E') >= 0)
                    {
                        return VerifierProblems.BadGap;
                    }

                    if (bit == 1)
                    {
                        from = n;
                    }
                    else
                    {
                        to = n;
                    }

                    break;
                default:
                    if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || !Syntax.IsLowerHex(reader.ValueSpan, 64))
                    {
                        return $"{VerifierProblems.NonHexHash}:body";
                    }

                    if (bit == 4)
                    {
                        firstPrev = Encoding.ASCII.GetString(reader.ValueSpan);
                    }
                    else
                    {
                        lastHash = Encoding.ASCII.GetString(reader.ValueSpan);
                    }

                    break;
            }
        }

        if (seen != 15 || firstPrev is null || lastHash is null)
        {
            return $"{VerifierProblems.MissingMember}:body";
        }

        if (from < 1 || to < from || to >= record.Seq)
        {
            return VerifierProblems.BadGap;
        }

        record.Gap = new GapStatement(from, to, firstPrev, lastHash);
        return null;
    }

    /// <summary>Reads the named string members of a body object (each required, once).</summary>
    private static string?[] ReadStrings(ReadOnlySpan<byte> body, out string? problem, params string[] names)
    {
        var values = new string?[names.Length];
        problem = null;
        var reader = new Utf8JsonReader(body);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var index = -1;
            for (var i = 0; i < names.Length && index < 0; i++)
            {
                index = reader.ValueTextEquals(names[i]) ? i : -1;
            }

            reader.Read();
            if (index < 0)
            {
                reader.Skip();
                continue;
            }

            if (values[index] is not null)
            {
                problem = $"{VerifierProblems.DuplicateMember}:body.{names[index]}";
                return values;
            }

            if (reader.TokenType != JsonTokenType.String)
            {
                problem = $"{VerifierProblems.BadMember}:body.{names[index]}";
                return values;
            }

            values[index] = reader.GetString();
        }

        var missing = Array.FindIndex(values, v => v is null);
        if (missing >= 0)
        {
            problem = $"{VerifierProblems.MissingMember}:body.{names[missing]}";
        }

        return values;
    }
}
