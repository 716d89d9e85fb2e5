namespace EdgeTwin.Integration.Tests.Support;

using System.Text.Json;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Verification;

/// <summary>Runs received payloads through the Telemetry verifier and sums the samples of distinct obs records.</summary>
public static class Verification
{
    public static IReadOnlyList<ChainReport> Verify(IEnumerable<byte[]> payloads)
    {
        var verifier = new StreamVerifier(new VerifierOptions());
        foreach (var payload in payloads)
        {
            var outcome = verifier.Add(payload);
            Assert.NotEqual(RecordStatus.Rejected, outcome.Status);
        }

        return verifier.Report();
    }

    /// <summary>Asserts each chain is sound and fully verified: no missing seq, nothing pending, no fork.</summary>
    public static void AssertComplete(ChainReport report)
    {
        Assert.True(report.Sound, $"{report.Chain}: {string.Join("; ", report.Problems)}");
        Assert.Equal(0, report.Forks);
        Assert.Equal(0, report.Missing);
        Assert.Equal(0, report.Pending);
        Assert.Equal(report.HighestSeq, report.VerifiedThrough);
    }

    /// <summary>Samples per (device, code) in distinct obs records (repeats of one seq counted once).</summary>
    public static Dictionary<(string Device, string Code), long> SampleCounts(IEnumerable<byte[]> telemetry)
    {
        var counts = new Dictionary<(string, string), long>();
        var seen = new HashSet<(string, long)>();
        foreach (var payload in telemetry)
        {
            var root = JsonDocument.Parse(payload).RootElement;
            if (!seen.Add((root.GetProperty("epoch").GetString()!, root.GetProperty("seq").GetInt64())) || root.GetProperty("kind").GetString() != "obs")
            {
                continue;
            }

            var body = root.GetProperty("body");
            var key = (body.GetProperty("device").GetString()!, body.GetProperty("code").GetString()!);
            counts[key] = counts.GetValueOrDefault(key) + body.GetProperty("v").GetArrayLength();
        }

        return counts;
    }

    public static List<JsonElement> Kinds(IEnumerable<byte[]> payloads, string kind) =>
        payloads.Select(p => JsonDocument.Parse(p).RootElement).Where(r => r.GetProperty("kind").GetString() == kind).ToList();

    public static Lane LaneOf(ChainReport report) => report.Chain.Lane;
}
