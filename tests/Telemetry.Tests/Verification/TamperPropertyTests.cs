namespace EdgeTwin.Telemetry.Tests.Verification;

using EdgeTwin.Telemetry.Verification;
using FsCheck.Xunit;

/// <summary>
/// Changing any single byte of any record that a checkpoint covers is detected: a problem is reported
/// or fewer records verify. (A chain's last checkpoint is covered by no later checkpoint; ETP/1 cannot
/// protect its bytes until the next one arrives. Its signature and prev are still checked: see below.)
/// </summary>
public sealed class TamperPropertyTests
{
    private static readonly Lazy<(List<(long Seq, bool Covered, byte[] Payload)> Records, long Verified)> Capture = new(Build);

    [Property(MaxTest = 300)]
    public bool AnySingleByteChange_InACoveredRecord_IsDetected(int recordPick, int offsetPick, byte delta)
    {
        var (records, verified) = Capture.Value;
        var covered = records.Where(r => r.Covered).ToList();
        var target = covered[(int)((uint)recordPick % (uint)covered.Count)];
        var payloads = records.Select(r => r.Payload).ToList();
        var index = records.IndexOf(target);
        var changed = target.Payload.ToArray();
        var at = (int)((uint)offsetPick % (uint)changed.Length);
        changed[at] = (byte)(changed[at] + (delta == 0 ? 1 : delta));
        payloads[index] = changed;

        var v = new StreamVerifier(new VerifierOptions());
        payloads.ForEach(p => v.Add(p));
        var reports = v.Report();

        return v.Unattributed > 0
            || reports.Sum(r => r.Verified) < verified
            || reports.Any(r => r.Forks + r.BrokenLinks + r.BadSigs + r.Rejected + r.Missing > 0);
    }

    [Property(MaxTest = 100)]
    public bool AnyChange_ToTheLastCheckpointsSignatureOrPrev_IsDetected(int offsetPick, byte delta)
    {
        var (records, _) = Capture.Value;
        var last = records[^1];
        var text = System.Text.Encoding.UTF8.GetString(last.Payload);
        var prevAt = text.IndexOf("\"prev\":\"", StringComparison.Ordinal) + 8;
        var sigAt = text.IndexOf("\"sig\":\"", StringComparison.Ordinal) + 7;
        var pick = (int)((uint)offsetPick % (64u + 132u));
        var at = pick < 64 ? prevAt + pick : sigAt + pick - 64;
        var changed = last.Payload.ToArray();
        changed[at] = (byte)(changed[at] + (delta == 0 ? 1 : delta));

        var v = new StreamVerifier(new VerifierOptions());
        records.Take(records.Count - 1).Select(r => r.Payload).Append(changed).ToList().ForEach(p => v.Add(p));

        return v.Unattributed > 0 || v.Report().Any(r => r.BrokenLinks + r.BadSigs + r.Rejected > 0);
    }

    private static (List<(long, bool, byte[])>, long) Build()
    {
        using var key = TestKeys.Reference();
        var telemetry = TestChains.Telemetry(key, 9, every: 3);
        var alarm = TestChains.Alarm(key, 2);
        var records = new List<(long, bool, byte[])>();
        foreach (var chain in new[] { telemetry, alarm })
        {
            var lastCheckpoint = chain[^1].Seq;
            records.AddRange(chain.Select(c => (c.Seq, c.Seq < lastCheckpoint, c.Payload)));
        }

        // The alarm chain last, so the final record of the capture is a chain's last checkpoint.
        var v = new StreamVerifier(new VerifierOptions());
        records.ForEach(r => v.Add(r.Item3));
        var reports = v.Report();
        Assert.All(reports, r => Assert.Equal(r.Received - 1, r.Verified));
        return (records, reports.Sum(r => r.Verified));
    }

    [Property(MaxTest = 300)]
    public bool ArbitraryDamage_IsNeverAnException_AndAlwaysAnOutcome(int recordPick, int at, byte[] noise, bool truncate)
    {
        var (records, _) = Capture.Value;
        var original = records[(int)((uint)recordPick % (uint)records.Count)].Payload;
        var cut = (int)((uint)at % (uint)(original.Length + 1));
        var damaged = truncate ? original[..cut] : [.. original[..cut], .. noise ?? [], .. original[cut..]];

        var v = new StreamVerifier(new VerifierOptions());
        records.ForEach(r => v.Add(r.Payload));
        var outcome = v.Add(damaged);
        _ = v.Report();

        return outcome.Hash is { Length: 64 } && (outcome.Status != RecordStatus.Rejected || outcome.Problem is not null);
    }
}
