namespace EdgeTwin.Telemetry.Documents;

using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EdgeTwin.Telemetry.Signing;
using EdgeTwin.Telemetry.Wire;

/// <summary>
/// A JSON document signed as a whole (PROTOCOL §6 desired state; the same form for the gateway's
/// retained status and reported twin): <c>{"doc":"&lt;JSON text&gt;","sig":"0x.."}</c>, sig = EIP-191 of
/// SHA-256(UTF-8 bytes of doc). The doc travels as a string so the signed bytes are exactly the
/// bytes received; nothing is re-serialised before checking.
/// </summary>
public static class SignedEnvelope
{
    public const string TooLarge = "too-large";
    public const string Malformed = "malformed";
    public const string BadSignature = "bad-signature";

    /// <summary>An EIP-191 signature's written form: 0x and 130 hex digits.</summary>
    private static readonly string SignatureShape = "0x" + new string('0', 130);

    /// <summary>The envelope around <paramref name="docText"/>, signed by <paramref name="signer"/>.</summary>
    public static byte[] Seal(byte[] docText, ICheckpointSigner signer)
    {
        ArgumentNullException.ThrowIfNull(docText);
        ArgumentNullException.ThrowIfNull(signer);
        var envelope = Write(docText, signer.SignDigest(SHA256.HashData(docText)));
        return envelope.WrittenSpan.Length <= Limits.MaxEnvelopeBytes
            ? envelope.WrittenSpan.ToArray()
            : throw new ArgumentException($"envelope would be {envelope.WrittenSpan.Length} bytes, over {Limits.MaxEnvelopeBytes}", nameof(docText));
    }

    /// <summary>
    /// The length in bytes of the envelope <see cref="Seal"/> makes around <paramref name="docText"/>,
    /// without signing (a signature is always 132 characters): over <see cref="Limits.MaxEnvelopeBytes"/>,
    /// <see cref="Seal"/> refuses the document.
    /// </summary>
    public static int SealedLength(byte[] docText)
    {
        ArgumentNullException.ThrowIfNull(docText);
        return Write(docText, SignatureShape).WrittenCount;
    }

    private static ArrayBufferWriter<byte> Write(byte[] docText, string sig)
    {
        var buffer = new ArrayBufferWriter<byte>(docText.Length + 200);
        using var w = new Utf8JsonWriter(buffer, EtpJson.WriterOptions);
        w.WriteStartObject();
        w.WriteString("doc", Encoding.UTF8.GetString(docText));
        w.WriteString("sig", sig);
        w.WriteEndObject();
        w.Flush();
        return buffer;
    }

    /// <summary>
    /// The signed document and who signed it. False with <paramref name="problem"/>
    /// (<see cref="TooLarge"/>, <see cref="Malformed"/>, <see cref="BadSignature"/>) otherwise;
    /// never throws on bad input. Whether the signer is the right one is the caller's question.
    /// </summary>
    public static bool TryOpen(ReadOnlySpan<byte> envelope, out byte[] doc, out string signer, out string? problem)
    {
        doc = [];
        signer = string.Empty;
        if (envelope.Length > Limits.MaxEnvelopeBytes)
        {
            problem = TooLarge;
            return false;
        }

        if (!TryRead(envelope, out var docText, out var sig))
        {
            problem = Malformed;
            return false;
        }

        doc = Encoding.UTF8.GetBytes(docText);
        if (!Eip191.TryRecover(SHA256.HashData(doc), sig, out var recovered, out _))
        {
            problem = BadSignature;
            return false;
        }

        signer = recovered!;
        problem = null;
        return true;
    }

    /// <summary>Exactly one object with string members doc and sig (each once); trailing bytes are malformed.</summary>
    private static bool TryRead(ReadOnlySpan<byte> envelope, out string docText, out string sig)
    {
        docText = sig = string.Empty;
        try
        {
            var reader = new Utf8JsonReader(envelope);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            string? doc = null, signature = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isDoc = reader.ValueTextEquals("doc"u8);
                var isSig = reader.ValueTextEquals("sig"u8);
                reader.Read();
                if (!isDoc && !isSig)
                {
                    reader.Skip();
                    continue;
                }

                if (reader.TokenType != JsonTokenType.String || (isDoc ? doc : signature) is not null)
                {
                    return false;
                }

                if (isDoc)
                {
                    doc = reader.GetString();
                }
                else
                {
                    signature = reader.GetString();
                }
            }

            if (reader.Read() || doc is null || signature is null)
            {
                return false;
            }

            (docText, sig) = (doc, signature);
            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return false;
        }
    }
}
