namespace EdgeTwin.Cli.Verify;

using System.Globalization;
using EdgeTwin.Telemetry.Capture;
using EdgeTwin.Telemetry.Verification;
using EdgeTwin.Telemetry.Wire;

/// <summary>
/// Runs a capture through a <see cref="StreamVerifier"/> sized for whole files. Messages on the topics
/// that never carry records (status, twin, alarm-status, receipt, resend) are skipped and counted in <see cref="OtherTopics"/>.
/// </summary>
internal sealed record CaptureVerification(IReadOnlyList<ChainReport> Chains, long Unattributed, IReadOnlyList<string> UnattributedProblems, long OtherTopics)
{
    public bool Sound => Unattributed == 0 && Chains.All(c => c.Sound);

    public static CaptureVerification Run(IEnumerable<CaptureEntry> entries, IReadOnlyCollection<string>? enrolled, bool fromMiddle = false)
    {
        // An auditor's file may be in any order: hold up to a million records per chain.
        var verifier = new StreamVerifier(new VerifierOptions
        {
            EnrolledAddresses = enrolled, FromMiddle = fromMiddle, ReorderWindow = 1 << 20, RecentWindow = 1 << 16, MaxHeldRecords = (1 << 20) + (1 << 18),
        });
        var otherTopics = 0L;
        var setAside = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var badLines = new List<string>();
        var badLineCount = 0L;
        foreach (var entry in entries)
        {
            if (entry.Payload is null)
            {
                badLineCount++;
                if (badLines.Count < 100)
                {
                    badLines.Add(string.Create(CultureInfo.InvariantCulture, $"line {entry.Line}: {entry.Problem}"));
                }

                continue;
            }

            if (WireNames.IsOtherTopic(entry.Topic))
            {
                otherTopics++;
                continue;
            }

            if (verifier.Add(entry.Payload) is { Problem: VerifierProblems.TooManyAlternatives, Hash: { } hash } && setAside.Count < 1 << 16)
            {
                setAside.TryAdd(hash, entry.Payload);
            }
        }

        // Records refused while strangers crowded their seq come back when a valid checkpoint waits for them.
        foreach (var chain in verifier.Report().Select(c => c.Chain))
        {
            while (verifier.Needed(chain) is { } needed && setAside.Remove(needed.Hash, out var payload))
            {
                verifier.Add(payload);
            }
        }

        return new CaptureVerification(verifier.Report(), verifier.Unattributed + badLineCount, [.. badLines, .. verifier.UnattributedProblems], otherTopics);
    }
}
