namespace EdgeTwin.Telemetry.Documents;

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeTwin.Telemetry.Signing;
using EdgeTwin.Telemetry.Wire;

/// <summary>
/// What an alarm manager said of one of a box's alarms (an IHE PCD-05 status: delivered, read,
/// accepted, rejected; by whom, when), put back to the box by the ingest (docs/protocol.md §6,
/// "Alarm status to the box"). A <see cref="SignedEnvelope"/> signed by the ingest key (the receipts'
/// key, <c>Uplink:ReceiptSigners</c>), published on <c>{prefix}/{site}/{gw}/alarm-status</c>. The doc:
/// <c>{"type":"alarm-status","gw","seq","issued","alert","patient","device","condition","status","who","at"}</c>;
/// <c>seq</c> increases with every status the ingest records, so a box refuses a replayed older one.
/// </summary>
public sealed record AlarmStatusDocument(
    string Gw,
    long Seq,
    DateTimeOffset Issued,
    string Alert,
    string Patient,
    string Device,
    string Condition,
    string Status,
    string? Who,
    DateTimeOffset At)
{
    public const string Type = "alarm-status";

    /// <summary>The leaf of the topic it travels on, <c>{prefix}/{site}/{gw}/alarm-status</c>.</summary>
    public const string Subtopic = "alarm-status";

    public const string UnlistedSigner = "unlisted-signer";
    public const string WrongGw = "wrong-gw";

    /// <summary>The PCD-05 statuses (IHE ACM), in the order they usually come.</summary>
    public static readonly IReadOnlyList<string> Statuses = ["delivered", "read", "accepted", "rejected"];

    private const int MaxText = 256;

    /// <summary>The envelope, signed by <paramref name="ingestKey"/>.</summary>
    public byte[] Seal(ICheckpointSigner ingestKey)
    {
        var doc = new JsonObject
        {
            ["type"] = Type,
            ["gw"] = Gw,
            ["seq"] = Seq,
            ["issued"] = EtpTime.Format(Issued),
            ["alert"] = Alert,
            ["patient"] = Patient,
            ["device"] = Device,
            ["condition"] = Condition,
            ["status"] = Status,
            ["who"] = Who,
            ["at"] = EtpTime.Format(At),
        };
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, EtpJson.WriterOptions))
        {
            doc.WriteTo(w);
        }

        return SignedEnvelope.Seal(buffer.WrittenSpan.ToArray(), ingestKey);
    }

    /// <summary>
    /// The document when the envelope is sound, signed by one of <paramref name="signers"/>, well-formed
    /// and for gateway <paramref name="gw"/>; false with the problem otherwise (in this order:
    /// <c>too-large</c>, <c>malformed</c>, <c>bad-signature</c>, <see cref="UnlistedSigner"/>,
    /// <c>malformed</c> for the doc, <see cref="WrongGw"/>). Never throws on bad input.
    /// </summary>
    public static bool TryOpen(ReadOnlySpan<byte> envelope, string gw, IReadOnlyCollection<string> signers, out AlarmStatusDocument? document, out string? signer, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(signers);
        document = null;
        signer = null;
        if (!SignedEnvelope.TryOpen(envelope, out var bytes, out var recovered, out problem))
        {
            return false;
        }

        signer = recovered;
        if (!signers.Any(s => string.Equals(s, recovered, StringComparison.OrdinalIgnoreCase)))
        {
            problem = UnlistedSigner;
            return false;
        }

        document = Read(bytes);
        if (document is null)
        {
            problem = SignedEnvelope.Malformed;
            return false;
        }

        if (document.Gw != gw)
        {
            problem = WrongGw;
            return false;
        }

        return true;
    }

    /// <summary>One object, no repeated member, every member of its type; unknown members ignored. Null otherwise.</summary>
    private static AlarmStatusDocument? Read(byte[] bytes)
    {
        JsonObject? obj;
        try
        {
            obj = JsonNode.Parse(bytes, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }

        if (obj is null
            || Text(obj, "type") != Type
            || Text(obj, "gw") is not { } gw || !WireNames.IsName(gw)
            || Integer(obj, "seq") is not { } seq
            || Time(obj, "issued") is not { } issued
            || Text(obj, "alert") is not { Length: > 0 and <= MaxText } alert
            || Text(obj, "patient") is not { Length: <= MaxText } patient
            || Text(obj, "device") is not { Length: <= MaxText } device
            || Text(obj, "condition") is not { Length: > 0 and <= MaxText } condition
            || Text(obj, "status") is not { } status || !Statuses.Contains(status)
            || Time(obj, "at") is not { } at)
        {
            return null;
        }

        // who: absent or null when the manager named no one.
        var who = Text(obj, "who");
        if (obj["who"] is not null && who is not { Length: <= MaxText })
        {
            return null;
        }

        return new AlarmStatusDocument(gw, seq, issued, alert, patient, device, condition, status, who, at);
    }

    private static string? Text(JsonObject obj, string name) =>
        obj[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.TryGetValue<string>(out var s) ? s : null;

    private static long? Integer(JsonObject obj, string name) =>
        obj[name] is JsonValue v && v.GetValueKind() == JsonValueKind.Number
            && long.TryParse(v.ToJsonString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= Limits.MaxSeq ? n : null;

    private static DateTimeOffset? Time(JsonObject obj, string name) =>
        Text(obj, name) is { } s && Syntax.IsTimestamp(Encoding.UTF8.GetBytes(s))
            && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) ? t : null;
}
