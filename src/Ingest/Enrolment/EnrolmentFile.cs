namespace EdgeTwin.Ingest.Enrolment;

using System.Text.Json;
using EdgeTwin.Telemetry.Signing;
using EdgeTwin.Telemetry.Wire;

/// <summary>
/// <c>Ingest:EnrolmentFile</c> (docs/operations.md "Enrolment and revocation"): which address signs for
/// each gateway, and which addresses are revoked. Read whole and strictly: an unknown member, a bad
/// name or address, a gateway named twice or a revocation without its address refuses the file
/// (the enrolment in force stays as it was).
/// <code>
/// { "gateways": { "ward-3-bed-1": "0x…" },
///   "revoked": [ { "address": "0x…", "reason": "box stolen from ward 3, 2026-12-05" } ] }
/// </code>
/// </summary>
internal static class EnrolmentFile
{
    /// <summary>Largest file read; an enrolment of 10,000 gateways is about 700 KB.</summary>
    public const int MaxBytes = 8 * 1024 * 1024;

    public static EnrolmentEntries Parse(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxBytes)
        {
            throw new EnrolmentFileException($"the file is larger than {MaxBytes} bytes");
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(utf8.ToArray(), new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        }
        catch (JsonException ex)
        {
            throw new EnrolmentFileException($"not JSON: {ex.Message}");
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new EnrolmentFileException("the file must hold one JSON object with \"gateways\" and \"revoked\"");
            }

            var gateways = new Dictionary<string, string>(StringComparer.Ordinal);
            var revoked = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var member in doc.RootElement.EnumerateObject())
            {
                switch (member.Name)
                {
                    case "gateways":
                        ReadGateways(member.Value, gateways);
                        break;
                    case "revoked":
                        ReadRevoked(member.Value, revoked);
                        break;
                    default:
                        throw new EnrolmentFileException($"unknown member \"{member.Name}\" (only \"gateways\" and \"revoked\")");
                }
            }

            return new EnrolmentEntries(gateways, revoked);
        }
    }

    private static void ReadGateways(JsonElement e, Dictionary<string, string> into)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw new EnrolmentFileException("\"gateways\" must be an object of gateway name to address");
        }

        foreach (var g in e.EnumerateObject())
        {
            if (!WireNames.IsName(g.Name))
            {
                throw new EnrolmentFileException($"gateways: '{g.Name}' is not a gateway name ({WireNames.NameRule})");
            }

            var address = g.Value.ValueKind == JsonValueKind.String ? g.Value.GetString() : null;
            if (!Eip191.IsAddress(address))
            {
                throw new EnrolmentFileException($"gateways.{g.Name}: {g.Value.GetRawText()} is not an address (0x + 40 hex digits)");
            }

            if (!into.TryAdd(g.Name, address!))
            {
                throw new EnrolmentFileException($"gateways: '{g.Name}' is named twice");
            }
        }
    }

    private static void ReadRevoked(JsonElement e, Dictionary<string, string> into)
    {
        if (e.ValueKind != JsonValueKind.Array)
        {
            throw new EnrolmentFileException("\"revoked\" must be an array of {\"address\", \"reason\"}");
        }

        var i = 0;
        foreach (var r in e.EnumerateArray())
        {
            if (r.ValueKind != JsonValueKind.Object || !r.TryGetProperty("address", out var a) || a.ValueKind != JsonValueKind.String || !Eip191.IsAddress(a.GetString()))
            {
                throw new EnrolmentFileException($"revoked[{i}]: needs \"address\" (0x + 40 hex digits)");
            }

            var reason = "revoked";
            foreach (var m in r.EnumerateObject())
            {
                if (m.Name == "reason")
                {
                    reason = m.Value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(m.Value.GetString())
                        ? m.Value.GetString()!
                        : throw new EnrolmentFileException($"revoked[{i}].reason must be a non-empty string");
                }
                else if (m.Name != "address")
                {
                    throw new EnrolmentFileException($"revoked[{i}]: unknown member \"{m.Name}\" (only \"address\" and \"reason\")");
                }
            }

            into[a.GetString()!] = reason;
            i++;
        }
    }
}

/// <summary>What one enrolment source says: gateway name to address, and revoked address to reason.</summary>
internal sealed record EnrolmentEntries(IReadOnlyDictionary<string, string> Gateways, IReadOnlyDictionary<string, string> Revoked);

/// <summary>An enrolment file that cannot be used, with the reason.</summary>
internal sealed class EnrolmentFileException(string message) : Exception(message);
