namespace EdgeTwin.Cli.Verify;

using System.Globalization;
using EdgeTwin.Telemetry.Capture;
using EdgeTwin.Telemetry.Compact;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Verification;
using EdgeTwin.Telemetry.Wire;

/// <summary>
/// Runs a capture through a <see cref="StreamVerifier"/> sized for whole files. Messages on the topics
/// that never carry records (status, twin, alarm-status, receipt, resend) are skipped and counted in <see cref="OtherTopics"/>.
/// </summary>
internal sealed record CaptureVerification(IReadOnlyList<ChainReport> Chains, long Unattributed, IReadOnlyList<string> UnattributedProblems, long OtherTopics)
{
    /// <summary>Distinct records accepted that carry samples, by kind (<c>obs</c>, <c>obs-compact</c>): records and samples decoded.</summary>
    public IReadOnlyDictionary<string, (long Records, long Samples)> Samples { get; init; } = new Dictionary<string, (long, long)>();

    public bool Sound => Unattributed == 0 && Chains.All(c => c.Sound);

    public static CaptureVerification Run(IEnumerable<CaptureEntry> entries, IReadOnlyCollection<string>? enrolled, bool fromMiddle = false)
    {
        // An auditor's file may be in any order: hold up to a million records per chain.
        var verifier = new StreamVerifier(new VerifierOptions
        {
            EnrolledAddresses = enrolled, FromMiddle = fromMiddle, ReorderWindow = 1 << 20, RecentWindow = 1 << 16, MaxHeldRecords = (1 << 20) + (1 << 18),
        });
        var otherTopics = 0L;
        var samples = new Dictionary<string, (long Records, long Samples)>(StringComparer.Ordinal);
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

            var outcome = verifier.Add(entry.Payload);
            if (outcome is { Problem: VerifierProblems.TooManyAlternatives, Hash: { } hash } && setAside.Count < 1 << 16)
            {
                setAside.TryAdd(hash, entry.Payload);
            }
            else if (outcome.Status is RecordStatus.New or RecordStatus.Fork or RecordStatus.Alternative)
            {
                Tally(samples, entry.Payload);
            }
        }

        // Records refused while strangers crowded their seq come back when a valid checkpoint waits for them.
        foreach (var chain in verifier.Report().Select(c => c.Chain))
        {
            while (verifier.Needed(chain) is { } needed && setAside.Remove(needed.Hash, out var payload))
            {
                if (verifier.Add(payload).Status != RecordStatus.Rejected)
                {
                    Tally(samples, payload);
                }
            }
        }

        return new CaptureVerification(verifier.Report(), verifier.Unattributed + badLineCount, [.. badLines, .. verifier.UnattributedProblems], otherTopics) { Samples = samples };
    }

    private static void Tally(Dictionary<string, (long Records, long Samples)> samples, byte[] payload)
    {
        var (kind, count) = RecordSamples.Count(payload);
        if (RecordKinds.CarriesSamples(kind))
        {
            var (records, total) = samples.GetValueOrDefault(kind);
            samples[kind] = (records + 1, total + count);
        }
    }
}
