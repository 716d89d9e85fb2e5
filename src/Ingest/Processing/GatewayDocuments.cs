namespace EdgeTwin.Ingest.Processing;

using System.Text;
using System.Text.Json;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Ingest.Topics;

/// <summary>Light checks of the retained gateway documents (PROTOCOL §6 reported twin, §2 status).</summary>
internal static class GatewayDocuments
{
    /// <summary>Keeps the latest status and the highest-version reported twin of the gateway.</summary>
    public static async Task ApplyAsync(IncomingMessage m, IWriteSession session, DateTimeOffset now)
    {
        var current = await session.GatewayAsync(m.Name.Gw).ConfigureAwait(false) ?? new GatewayRow { Gw = m.Name.Gw, Site = m.Name.Site, UpdatedAt = now };
        var text = Encoding.UTF8.GetString(m.Payload);
        if (m.Name.Leaf == TopicLeaf.Status)
        {
            if (IsJsonObject(text))
            {
                await session.SetGatewayAsync(current with { Status = text, UpdatedAt = now, Site = m.Name.Site }).ConfigureAwait(false);
            }

            return;
        }

        // Reported twins are retained and re-delivered: only a higher version replaces the last one.
        if (TryReportedVersion(text, m.Name.Gw, out var version) && version > current.ReportedVersion)
        {
            await session.SetGatewayAsync(current with { Reported = text, ReportedVersion = version, UpdatedAt = now, Site = m.Name.Site }).ConfigureAwait(false);
        }
    }

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
