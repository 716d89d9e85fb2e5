namespace EdgeTwin.Ingest.Resend;

using EdgeTwin.Telemetry.Verification;

/// <summary>
/// Which seqs of a chain the ingest does not hold (issue 21): between the linked head and the highest
/// seq the gateway vouches for (its highest checkpoint held; a record anyone published further ahead is
/// only a claim), those neither held nor linked (missing seqs; a chain whose genesis never came has its
/// linked head at -1), and beyond that up to the head the gateway's signed twin reports. Pure.
/// At most <see cref="MaxRanges"/> ranges of at most <see cref="MaxRangeLength"/> seqs, oldest first.
/// </summary>
internal static class ResendPlanner
{
    public const int MaxRanges = 16;
    public const long MaxRangeLength = 4096;

    /// <param name="state">the verifier's state of the chain; null when the ingest holds nothing of it</param>
    /// <param name="reportedHead">the head seq the gateway's reported twin shows for this chain, if any</param>
    /// <param name="enrolled">the gateway's enrolled address: signs for a chain whose genesis (and so its key) never came</param>
    public static IReadOnlyList<(long From, long To)> Missing(ChainVerifierState? state, long? reportedHead, string? enrolled = null)
    {
        var linked = state?.LinkedThrough ?? -1;
        var highest = Math.Max(state is null ? -1 : VouchedThrough(state, enrolled), reportedHead ?? -1);
        var held = state?.Held.Select(h => h.Seq).ToHashSet() ?? [];
        var ranges = new List<(long From, long To)>();
        long? open = null;
        for (var seq = linked + 1; seq <= highest && ranges.Count < MaxRanges; seq++)
        {
            var missing = !held.Contains(seq);
            if (missing && open is null)
            {
                open = seq;
            }

            if (open is { } from && (!missing || seq == highest || seq - from + 1 == MaxRangeLength))
            {
                ranges.Add((from, missing ? seq : seq - 1));
                open = null;
            }
        }

        return ranges;
    }

    /// <summary>
    /// The linked head, or the highest checkpoint held that the chain's key signed (before the key is known:
    /// the enrolled address, or without one any signer), as the verifier counts missing seqs.
    /// </summary>
    private static long VouchedThrough(ChainVerifierState state, string? enrolled)
    {
        var signer = state.Key ?? enrolled;
        return state.Held
            .Where(h => h.Kind == "checkpoint" && h.Signer is not null && h.SigProblem is null && (signer is null || string.Equals(h.Signer, signer, StringComparison.OrdinalIgnoreCase)))
            .Select(h => h.Seq)
            .Append(state.LinkedThrough)
            .Max();
    }

    /// <summary>The parts of <paramref name="now"/> also in <paramref name="before"/>: missing at two looks in a row, so not merely in flight.</summary>
    public static IReadOnlyList<(long From, long To)> Persisting(IReadOnlyList<(long From, long To)> before, IReadOnlyList<(long From, long To)> now)
    {
        var result = new List<(long From, long To)>();
        foreach (var a in now)
        {
            foreach (var b in before)
            {
                var from = Math.Max(a.From, b.From);
                var to = Math.Min(a.To, b.To);
                if (from <= to)
                {
                    result.Add((from, to));
                }
            }
        }

        return result;
    }
}
