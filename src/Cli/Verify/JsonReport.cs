namespace EdgeTwin.Cli.Verify;

using System.Text;
using System.Text.Json;
using EdgeTwin.Telemetry.Wire;

/// <summary>
/// <c>--json</c>: <c>{"sound":..,"totals":{..},"chains":[{..}],"unattributed":n,"otherTopics":n,"samples":{"obs":{"records":n,"samples":n},"obs-compact":{..}},"unattributedProblems":[..]}</c>;
/// count names as in tests/vectors/manifest.json.
/// </summary>
internal static class JsonReport
{
    public static void Write(TextWriter w, CaptureVerification result)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteBoolean("sound", result.Sound);
            json.WritePropertyName("totals");
            json.WriteStartObject();
            json.WriteNumber("chains", result.Chains.Count);
            WriteCounts(json, result.Chains);
            json.WriteEndObject();
            json.WriteStartArray("chains");
            foreach (var c in result.Chains)
            {
                json.WriteStartObject();
                json.WriteString("gw", c.Chain.Gw);
                json.WriteString("lane", WireNames.Of(c.Chain.Lane));
                json.WriteString("epoch", c.Chain.Epoch);
                json.WriteString("key", c.Key);
                json.WriteBoolean("sound", c.Sound);
                WriteCounts(json, [c]);
                json.WriteNumber("from", c.From);
                json.WriteNumber("verifiedThrough", c.VerifiedThrough);
                json.WriteNumber("highestSeq", c.HighestSeq);
                json.WriteStartArray("problems");
                c.Problems.ToList().ForEach(json.WriteStringValue);
                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteNumber("unattributed", result.Unattributed);
            json.WriteNumber("otherTopics", result.OtherTopics);
            json.WriteStartObject("samples");
            foreach (var (kind, (records, samples)) in result.Samples.OrderBy(k => k.Key, StringComparer.Ordinal))
            {
                json.WriteStartObject(kind);
                json.WriteNumber("records", records);
                json.WriteNumber("samples", samples);
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteStartArray("unattributedProblems");
            result.UnattributedProblems.ToList().ForEach(json.WriteStringValue);
            json.WriteEndArray();
            json.WriteEndObject();
        }

        w.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static void WriteCounts(Utf8JsonWriter json, IReadOnlyCollection<Telemetry.Verification.ChainReport> chains)
    {
        json.WriteNumber("received", chains.Sum(c => c.Received));
        json.WriteNumber("verified", chains.Sum(c => c.Verified));
        json.WriteNumber("pending", chains.Sum(c => c.Pending));
        json.WriteNumber("gapCovered", chains.Sum(c => c.GapCovered));
        json.WriteNumber("missing", chains.Sum(c => c.Missing));
        json.WriteNumber("duplicates", chains.Sum(c => c.Duplicates));
        json.WriteNumber("forks", chains.Sum(c => c.Forks));
        json.WriteNumber("unsignedBranch", chains.Sum(c => c.UnsignedBranch));
        json.WriteNumber("brokenLinks", chains.Sum(c => c.BrokenLinks));
        json.WriteNumber("badSigs", chains.Sum(c => c.BadSigs));
        json.WriteNumber("unknownSigner", chains.Sum(c => c.UnknownSigner));
        json.WriteNumber("rejected", chains.Sum(c => c.Rejected));
        json.WriteNumber("beyondWindow", chains.Sum(c => c.BeyondWindow));
        json.WriteNumber("beforeStart", chains.Sum(c => c.BeforeStart));
    }
}
