namespace EdgeTwin.Telemetry.Chain;

using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeTwin.Telemetry.Compact;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Wire;

/// <summary>Body serialisers per kind (PROTOCOL §4), members in the order the protocol lists them.</summary>
internal static class BodyWriters
{
    public static Action<Utf8JsonWriter> Genesis(string key, GenesisReason reason, string software, KeyRotationLink? rotation = null) => w =>
    {
        w.WriteStartObject();
        w.WriteString("key", key);
        w.WriteString("reason", WireNames.Of(reason));
        w.WriteString("software", software);
        rotation?.Write(w);
        w.WriteEndObject();
    };

    public static Action<Utf8JsonWriter> Obs(ObsBody body) => w =>
    {
        w.WriteStartObject();
        w.WriteString("patient", body.Patient);
        w.WriteString("device", body.Device);
        w.WriteString("code", body.Code);
        w.WriteString("unit", body.Unit);
        EtpJson.WriteTimestamp(w, "t0", body.T0);
        EtpJson.WriteNumber(w, "dt", body.Dt);
        w.WritePropertyName("v");
        w.WriteStartArray();
        foreach (var v in body.Values)
        {
            if (v is { } x && double.IsFinite(x))
            {
                EtpJson.WriteNumberValue(w, x);
            }
            else
            {
                w.WriteNullValue();
            }
        }

        w.WriteEndArray();
        w.WriteEndObject();
    };

    /// <summary>An <c>obs-compact</c> body; the sample strings are encoded once by the caller (<see cref="CompactSamples"/>).</summary>
    public static Action<Utf8JsonWriter> ObsCompact(CompactObsBody body, IReadOnlyList<string> samples) => w =>
    {
        w.WriteStartObject();
        w.WriteString("patient", body.Patient);
        w.WriteString("device", body.Device);
        w.WritePropertyName("streams");
        w.WriteStartArray();
        for (var i = 0; i < body.Streams.Count; i++)
        {
            var s = body.Streams[i];
            w.WriteStartObject();
            w.WriteString("code", s.Code);
            w.WriteString("unit", s.Unit);
            w.WritePropertyName("q");
            w.WriteRawValue(s.Q.Text, skipInputValidation: true);
            EtpJson.WriteTimestamp(w, "t0", s.T0);
            EtpJson.WriteNumber(w, "dt", s.Dt);
            w.WriteNumber("n", s.Values.Count);
            w.WriteString("d", samples[i]);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    };

    public static Action<Utf8JsonWriter> Alarm(AlarmBody body) => w =>
    {
        w.WriteStartObject();
        w.WriteString("patient", body.Patient);
        w.WriteString("device", body.Device);
        w.WriteString("priority", body.Priority);
        w.WriteString("condition", body.Condition);
        w.WriteString("state", body.State);
        w.WriteString("source", body.Source);
        EtpJson.WriteNullableNumber(w, "value", body.Value);
        w.WriteString("text", body.Text);
        w.WriteEndObject();
    };

    public static Action<Utf8JsonWriter> Checkpoint(string sig) => w =>
    {
        w.WriteStartObject();
        w.WriteString("sig", sig);
        w.WriteEndObject();
    };

    public static Action<Utf8JsonWriter> Gap(long from, long to, string firstPrev, string lastHash, string reason) => w =>
    {
        w.WriteStartObject();
        w.WriteNumber("from", from);
        w.WriteNumber("to", to);
        w.WriteString("firstPrev", firstPrev);
        w.WriteString("lastHash", lastHash);
        w.WriteString("reason", reason);
        w.WriteEndObject();
    };

    public static Action<Utf8JsonWriter> Event(string type, JsonObject? fields) => w =>
    {
        w.WriteStartObject();
        w.WriteString("type", type);
        if (fields is not null)
        {
            foreach (var (name, value) in fields)
            {
                w.WritePropertyName(name);
                EtpJson.WriteNode(w, value);
            }
        }

        w.WriteEndObject();
    };
}
