namespace EdgeTwin.Ingest.Processing;

using System.Globalization;
using System.Text.Json;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;

/// <summary>
/// The members the ingest needs before verification (to find and lock the chain) and for queries
/// afterwards. Only reads; the verifier decides whether the record is any good.
/// </summary>
internal sealed record RecordHeader(string Gw, string Lane, string Epoch, long Seq, string Kind, DateTimeOffset? Ts, string? Patient, string? Code, string? GenesisReason)
{
    /// <summary>A genesis record's <c>key</c>.</summary>
    public string? GenesisKey { get; init; }

    /// <summary>A genesis record's key-rotation link (docs/protocol.md §4), when it carries a well-formed one.</summary>
    public KeyRotationLink? Rotation { get; init; }

    /// <summary>Why a genesis record's <c>rotation</c> member is not a link, when it is not.</summary>
    public string? RotationProblem { get; init; }

    public static bool TryParse(ReadOnlySpan<byte> payload, out RecordHeader? header, out string? problem)
    {
        header = null;
        try
        {
            var reader = new Utf8JsonReader(payload);
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                problem = "malformed: not a JSON object";
                return false;
            }

            if (!Str(root, "gw", out var gw) || !Str(root, "lane", out var lane) || !Str(root, "epoch", out var epoch) || !Str(root, "kind", out var kind)
                || !root.TryGetProperty("seq", out var seqEl) || !seqEl.TryGetInt64(out var seq) || seq < 0)
            {
                problem = "malformed: gw, lane, epoch, seq or kind missing or of the wrong type";
                return false;
            }

            DateTimeOffset? ts = Str(root, "ts", out var tsText) && DateTimeOffset.TryParse(tsText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
            string? patient = null, code = null, reason = null, key = null;
            KeyRotationLink? rotation = null;
            string? rotationProblem = null;
            if (root.TryGetProperty("body", out var body) && body.ValueKind == JsonValueKind.Object)
            {
                _ = Str(body, "patient", out patient);
                _ = Str(body, "code", out code);
                _ = Str(body, "reason", out reason);
                if (kind == RecordKinds.Genesis)
                {
                    _ = Str(body, "key", out key);
                    rotation = KeyRotationLink.Read(body, out rotationProblem);
                }
            }

            header = new RecordHeader(gw!, lane!, epoch!, seq, kind!, ts, patient, code, kind == RecordKinds.Genesis ? reason : null)
            {
                GenesisKey = key,
                Rotation = rotation,
                RotationProblem = rotationProblem,
            };
            problem = null;
            return true;
        }
        catch (JsonException e)
        {
            problem = $"malformed: {e.Message}";
            return false;
        }
    }

    private static bool Str(JsonElement obj, string name, out string? value)
    {
        value = obj.TryGetProperty(name, out var el) && el.ValueKind == JsonValueKind.String ? el.GetString() : null;
        return value is not null;
    }
}
