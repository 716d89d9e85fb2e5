namespace EdgeTwin.Ingest.Processing;

using System.Text.Json;

/// <summary>Light checks of the retained gateway documents (PROTOCOL §6 reported twin, §2 status).</summary>
internal static class GatewayDocuments
{
    public static bool IsJsonObject(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>True for a reported twin of <paramref name="gw"/> with an integer version.</summary>
    public static bool TryReportedVersion(string text, string gw, out long version)
    {
        version = -1;
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            return root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("gw", out var g) && g.ValueKind == JsonValueKind.String && g.GetString() == gw
                && root.TryGetProperty("version", out var v) && v.TryGetInt64(out version);
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
