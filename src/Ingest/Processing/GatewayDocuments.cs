namespace EdgeTwin.Ingest.Processing;

using System.Globalization;
using System.Text.Json.Nodes;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Ingest.Topics;
using EdgeTwin.Telemetry.Documents;

/// <summary>
/// The gateway's retained documents (PROTOCOL §6 reported twin, §2 status), signed by the gateway
/// key (docs/protocol.md §6). One is kept only when the enrolled address signed it for the gateway
/// its topic names, and it is newer than the one held: a reported twin by <c>version</c>, a status
/// by the connection it belongs to (<c>since</c>; the offline will ends its connection, so for the
/// same <c>since</c> offline replaces online, not the reverse). What is kept is the signed document
/// itself (the inner JSON); everything else is refused with the reason.
/// </summary>
internal static class GatewayDocuments
{
    /// <summary>A genuine document no newer than the one held (retained ones are re-delivered): ignored, not evidence.</summary>
    public const string NotNewer = "not-newer";

    /// <summary>Null when kept; <see cref="NotNewer"/>; or why it is not the gateway's (evidence).</summary>
    public static async Task<string?> ApplyAsync(IncomingMessage m, IWriteSession session, DateTimeOffset now, string? enrolled)
    {
        if (enrolled is null)
        {
            return $"not-enrolled: gateway '{m.Name.Gw}' has no enrolled address (Ingest:Enrolled:{m.Name.Gw})";
        }

        if (!GatewayDocument.TryOpen(m.Payload, m.Name.Gw, enrolled, out var doc, out var text, out var problem))
        {
            return $"{problem}: {(m.Name.Leaf == TopicLeaf.Status ? "status" : "reported twin")} not signed by '{m.Name.Gw}''s enrolled key";
        }

        var current = await session.GatewayAsync(m.Name.Gw).ConfigureAwait(false) ?? new GatewayRow { Gw = m.Name.Gw, Site = m.Name.Site, UpdatedAt = now };
        if (m.Name.Leaf == TopicLeaf.Status)
        {
            if (!TryStatus(doc, out var since, out var online))
            {
                return "malformed: a status needs online (true|false) and since (RFC 3339)";
            }

            if (current.Status is { } held && TryStatus(JsonNode.Parse(held) as JsonObject, out var heldSince, out var heldOnline)
                && (since < heldSince || (since == heldSince && (online || !heldOnline))))
            {
                return NotNewer;
            }

            await session.SetGatewayAsync(current with { Status = text, UpdatedAt = now, Site = m.Name.Site }).ConfigureAwait(false);
            return null;
        }

        if (doc["version"] is not JsonValue v || !v.TryGetValue<long>(out var version))
        {
            return "malformed: a reported twin needs an integer version";
        }

        if (version <= current.ReportedVersion)
        {
            return NotNewer;
        }

        await session.SetGatewayAsync(current with { Reported = text, ReportedVersion = version, UpdatedAt = now, Site = m.Name.Site }).ConfigureAwait(false);
        return null;
    }

    private static bool TryStatus(JsonObject? doc, out DateTimeOffset since, out bool online)
    {
        since = default;
        online = false;
        return doc is not null
            && doc["online"] is JsonValue o && o.TryGetValue(out online)
            && doc["since"] is JsonValue s && s.TryGetValue<string>(out var text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out since);
    }
}
