namespace EdgeTwin.Telemetry.Documents;

using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeTwin.Telemetry.Signing;

/// <summary>
/// The gateway's retained documents, <c>status</c> and <c>twin/reported</c>, signed by the gateway
/// key in a <see cref="SignedEnvelope"/> (docs/protocol.md §6): anyone can publish on those
/// topics, so a cloud keeps only what the enrolled address signed, for the gateway it names.
/// </summary>
public static class GatewayDocument
{
    public const string NotSignedByGateway = "not-signed-by-gateway";
    public const string WrongGw = "wrong-gw";

    public static byte[] Seal(ReadOnlySpan<byte> docText, ICheckpointSigner gatewayKey) => SignedEnvelope.Seal(docText.ToArray(), gatewayKey);

    /// <summary>
    /// The document when the envelope is sound, signed by <paramref name="enrolledAddress"/> and its
    /// <c>gw</c> is <paramref name="gw"/>; false with the problem (<see cref="SignedEnvelope"/>'s,
    /// <see cref="NotSignedByGateway"/>, <see cref="WrongGw"/>) otherwise. Never throws on bad input.
    /// </summary>
    public static bool TryOpen(ReadOnlySpan<byte> envelope, string gw, string enrolledAddress, out JsonObject doc, out string docText, out string? problem)
    {
        doc = [];
        docText = string.Empty;
        if (!SignedEnvelope.TryOpen(envelope, out var bytes, out var signer, out problem))
        {
            return false;
        }

        if (!string.Equals(signer, enrolledAddress, StringComparison.OrdinalIgnoreCase))
        {
            problem = NotSignedByGateway;
            return false;
        }

        try
        {
            if (JsonNode.Parse(bytes, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }) is not JsonObject parsed)
            {
                problem = SignedEnvelope.Malformed;
                return false;
            }

            doc = parsed;
        }
        catch (JsonException)
        {
            problem = SignedEnvelope.Malformed;
            return false;
        }

        if (doc["gw"] is not JsonValue g || !g.TryGetValue<string>(out var named) || named != gw)
        {
            problem = WrongGw;
            return false;
        }

        docText = Encoding.UTF8.GetString(bytes);
        problem = null;
        return true;
    }
}
