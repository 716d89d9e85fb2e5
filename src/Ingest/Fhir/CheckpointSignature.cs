namespace EdgeTwin.Ingest.Fhir;

using System.Text.Json;

/// <summary>The 65 signature bytes of a stored checkpoint record (PROTOCOL §5 <c>sig</c>).</summary>
internal static class CheckpointSignature
{
    public static byte[]? Read(byte[] payload)
    {
        try
        {
            using var doc = JsonDocument.Parse(payload);
            var sig = doc.RootElement.GetProperty("body").GetProperty("sig").GetString();
            return sig is { Length: 132 } && sig.StartsWith("0x", StringComparison.Ordinal) ? Convert.FromHexString(sig.AsSpan(2)) : null;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
