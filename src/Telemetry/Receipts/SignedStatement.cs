namespace EdgeTwin.Telemetry.Receipts;

using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeTwin.Telemetry.Signing;
using EdgeTwin.Telemetry.Wire;

/// <summary>
/// What receipts and re-send requests share (PROTOCOL §7, docs/protocol.md): a digest over a tag and
/// fields joined by <c>\n</c>, an EIP-191 signature by the ingest key, and a strict reader of a flat
/// JSON object whose members must each appear exactly once.
/// </summary>
internal static class SignedStatement
{
    public static byte[] Digest(string tag, string gw, string lane, string epoch, long[] numbers, string? last)
    {
        var text = new StringBuilder(tag).Append('\n').Append(gw).Append('\n').Append(lane).Append('\n').Append(epoch);
        foreach (var n in numbers)
        {
            text.Append('\n').Append(n.ToString(CultureInfo.InvariantCulture));
        }

        if (last is not null)
        {
            text.Append('\n').Append(last);
        }

        return SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
    }

    public static byte[] Write(Action<Utf8JsonWriter> members)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, EtpJson.WriterOptions))
        {
            w.WriteStartObject();
            members(w);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// One JSON object (no trailing bytes, no repeated member) holding the common members
    /// gw (a name), lane (telemetry|alarm), epoch (32 lowercase hex), sig (a string) and the named
    /// integer members (0 .. 2^53-1). Unknown members are ignored. Null with a problem otherwise.
    /// </summary>
    public static JsonObject? Read(ReadOnlySpan<byte> payload, string[] integers, out string? problem)
    {
        problem = StatementProblems.Malformed;
        if (payload.Length > Limits.MaxEnvelopeBytes)
        {
            problem = StatementProblems.TooLarge;
            return null;
        }

        JsonObject? obj;
        try
        {
            obj = JsonNode.Parse(payload, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }

        if (obj is null
            || !TryString(obj, "gw", out var gw) || !Syntax.IsName(gw)
            || !TryString(obj, "lane", out var lane) || lane is not ("telemetry" or "alarm")
            || !TryString(obj, "epoch", out var epoch) || !Syntax.IsLowerHex(epoch, 32)
            || !TryString(obj, "sig", out _))
        {
            return null;
        }

        foreach (var name in integers)
        {
            if (!TryInteger(obj, name, out _))
            {
                return null;
            }
        }

        problem = null;
        return obj;
    }

    public static bool TryString(JsonObject obj, string name, out string value)
    {
        value = string.Empty;
        return obj[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.TryGetValue(out value!);
    }

    /// <summary>An integer literal (no fraction, no exponent, no sign) in 0 .. 2^53-1.</summary>
    public static bool TryInteger(JsonObject obj, string name, out long value)
    {
        value = -1;
        return obj[name] is JsonValue v && v.GetValueKind() == JsonValueKind.Number
            && long.TryParse(v.ToJsonString(), NumberStyles.None, CultureInfo.InvariantCulture, out value) && value <= Limits.MaxSeq;
    }

    /// <summary>The signer of <paramref name="digest"/>, when it is one of <paramref name="signers"/>; else the problem.</summary>
    public static string? CheckSigner(byte[] digest, string sig, IReadOnlyCollection<string> signers, out string? signer)
    {
        if (!Eip191.TryRecover(digest, sig, out signer, out var sigProblem))
        {
            return StatementProblems.BadSignature + ":" + sigProblem;
        }

        var recovered = signer;
        return signers.Any(s => string.Equals(s, recovered, StringComparison.OrdinalIgnoreCase)) ? null : StatementProblems.UnlistedSigner;
    }
}
