namespace EdgeTwin.Integration.Tests.Support;

using System.Text.Json;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Signing;
using EdgeTwin.Telemetry.Verification;

/// <summary>Runs received payloads through the Telemetry verifier and sums the samples of distinct obs records.</summary>
public static class Verification
{
    /// <summary>Verifies as the cloud does: a chain counts only when its genesis key is <paramref name="enrolledAddress"/>.</summary>
    public static IReadOnlyList<ChainReport> Verify(IEnumerable<byte[]> payloads, string enrolledAddress)
    {
        // A whole capture, in the order the broker delivered it (live ahead of backlog): sized like
        // `edgetwin verify` for files, so a long backlog is held rather than refused.
        var verifier = new StreamVerifier(new VerifierOptions
        {
            EnrolledAddresses = [enrolledAddress],
            ReorderWindow = 1 << 20,
            RecentWindow = 1 << 16,
            MaxHeldRecords = (1 << 20) + (1 << 18),
        });
        foreach (var payload in payloads)
        {
            var outcome = verifier.Add(payload);
            Assert.NotEqual(RecordStatus.Rejected, outcome.Status);
        }

        return verifier.Report();
    }

    /// <summary>The address of the gateway key in <paramref name="dataDirectory"/> (the one a cloud would enrol).</summary>
    public static string GatewayAddress(string dataDirectory)
    {
        using var key = GatewayKey.LoadFromFile(Path.Combine(dataDirectory, "gateway.key"));
        return key.Address;
    }

    /// <summary>
    /// Asserts a chain is sound and complete: no missing seq, no fork, and every record verified
    /// except the closing checkpoint itself (a checkpoint covers the records before it, PROTOCOL §5).
    /// </summary>
    public static void AssertComplete(ChainReport report, IEnumerable<byte[]> payloads)
    {
        var seqs = payloads.Select(p => JsonDocument.Parse(p).RootElement)
            .Where(r => r.GetProperty("epoch").GetString() == report.Chain.Epoch)
            .Select(r => r.GetProperty("seq").GetInt64()).ToHashSet();
        var absent = string.Join(",", Enumerable.Range(0, (int)Math.Max(0, report.HighestSeq + 1)).Where(s => !seqs.Contains(s)).Take(20));
        var detail = $"{report.Chain}: received {report.Received}, missing {report.Missing} [{absent}], pending {report.Pending}, verified through {report.VerifiedThrough} of {report.HighestSeq}; {string.Join("; ", report.Problems)}";
        Assert.True(report.Sound, detail);
        Assert.True(report.Forks == 0, detail);
        Assert.True(report.Missing == 0, detail);
        var last = payloads.Select(p => JsonDocument.Parse(p).RootElement)
            .Where(r => r.GetProperty("epoch").GetString() == report.Chain.Epoch && r.GetProperty("seq").GetInt64() == report.HighestSeq)
            .Select(r => r.GetProperty("kind").GetString()).First();
        Assert.True(last == "checkpoint", $"the chain must end with a checkpoint, ends with {last}; {detail}");
        Assert.True(report.Pending <= 1 && report.VerifiedThrough >= report.HighestSeq - 1, detail);
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
