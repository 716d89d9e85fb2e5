namespace EdgeTwin.Telemetry.Desired;

using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeTwin.Telemetry.Documents;
using EdgeTwin.Telemetry.Signing;
using EdgeTwin.Telemetry.Wire;

/// <summary>
/// Signed desired-state envelope (PROTOCOL §6): <c>{"doc":"&lt;JSON text&gt;","sig":"0x.."}</c>, sig =
/// EIP-191 of SHA-256(UTF-8 of doc) by an operator key. The doc travels as a string so its signed
/// bytes are exactly the bytes received; nothing is re-serialised before checking.
/// </summary>
public static class DesiredEnvelope
{
    public const string TooLarge = SignedEnvelope.TooLarge;
    public const string Malformed = SignedEnvelope.Malformed;
    public const string BadSignature = SignedEnvelope.BadSignature;
    public const string NotSignedByOperator = "not-signed-by-operator";
    public const string WrongGw = "wrong-gw";
    public const string StaleVersion = "stale-version";

    /// <summary>Builds the envelope bytes. Members of doc in order gw, version, issued, state.</summary>
    public static byte[] Sign(DesiredDocument doc, ICheckpointSigner operatorKey)
    {
        ArgumentNullException.ThrowIfNull(doc);
        ArgumentNullException.ThrowIfNull(operatorKey);
        if (!Syntax.IsName(doc.Gw))
        {
            throw new ArgumentException($"gw must match {WireNames.NameRule}", nameof(doc));
        }

        if (doc.Version < 0 || doc.Version > Limits.MaxSeq)
        {
            throw new ArgumentOutOfRangeException(nameof(doc), doc.Version, "version must be 0..2^53-1");
        }

        var docText = Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("gw", doc.Gw);
            w.WriteNumber("version", doc.Version);
            EtpJson.WriteTimestamp(w, "issued", doc.Issued);
            w.WritePropertyName("state");
            EtpJson.WriteNode(w, doc.State);
            w.WriteEndObject();
        });
        return SignedEnvelope.Seal(docText, operatorKey);
    }

    /// <summary>Checks signature, operator, gw and version, in that order. Never throws on bad input.</summary>
    public static DesiredCheck Verify(ReadOnlySpan<byte> envelope, string expectedGw, long lastAppliedVersion, IReadOnlyCollection<string> operatorAddresses)
    {
        ArgumentNullException.ThrowIfNull(expectedGw);
        ArgumentNullException.ThrowIfNull(operatorAddresses);
        if (!SignedEnvelope.TryOpen(envelope, out var docBytes, out var signer, out var problem))
        {
            return Reject(problem!);
        }

        if (!operatorAddresses.Any(a => string.Equals(a, signer, StringComparison.OrdinalIgnoreCase)))
        {
            return new DesiredCheck(false, null, signer, NotSignedByOperator);
        }

        if (!TryReadDocument(docBytes, out var doc))
        {
            return new DesiredCheck(false, null, signer, Malformed);
        }

        if (doc.Gw != expectedGw)
        {
            return new DesiredCheck(false, doc, signer, WrongGw);
        }

        return doc.Version > lastAppliedVersion
            ? new DesiredCheck(true, doc, signer, null)
            : new DesiredCheck(false, doc, signer, StaleVersion);
    }

    private static DesiredCheck Reject(string problem) => new(false, null, null, problem);

    private static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, EtpJson.WriterOptions))
        {
            write(w);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static bool TryReadDocument(byte[] docBytes, out DesiredDocument doc)
    {
        doc = null!;
        JsonNode? node;
        try
        {
            // JsonNode.Parse rejects trailing garbage; duplicate members are refused explicitly below.
            node = JsonNode.Parse(docBytes, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException)
        {
            return false;
        }

        if (node is not JsonObject obj
            || obj["gw"] is not JsonValue gwValue || !gwValue.TryGetValue<string>(out var gw) || !Syntax.IsName(gw)
            || obj["version"] is not JsonValue versionValue || versionValue.GetValueKind() != JsonValueKind.Number
            || !long.TryParse(versionValue.ToJsonString(), NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version > Limits.MaxSeq
            || obj["issued"] is not JsonValue issuedValue || !issuedValue.TryGetValue<string>(out var issuedText)
            || !DateTimeOffset.TryParse(issuedText, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var issued)
            || !issuedText.Contains('T', StringComparison.Ordinal)
            || obj["state"] is not JsonObject state)
        {
            return false;
        }

        doc = new DesiredDocument(gw, version, issued, (JsonObject)state.DeepClone());
        return true;
    }
}
