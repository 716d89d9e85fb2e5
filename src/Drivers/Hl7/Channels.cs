namespace EdgeTwin.Drivers.Hl7;

using System.Globalization;

/// <summary>
/// Several channels of one quantity in one message (two SpO2 probes, OBX-4 sub-ids 1.3.1 and
/// 1.3.2) must not become two samples of one stream at one instant. Per stream and instant the
/// primary channel is kept: the lowest OBX-4 sub-id, compared level by level as numbers (1.3.1
/// before 1.3.2 before 1.10.1), an OBX without a sub-id after those with one, and message order
/// among equals. Every other one is skipped with the channel it lost to, so it is counted and
/// logged like any OBX not used. A monitor sends its channels in each message, so the primary
/// stays the same from message to message.
/// </summary>
internal static class Channels
{
    public static IReadOnlyList<ObservationCandidate> KeepPrimary(IReadOnlyList<ObservationCandidate> candidates, List<SkippedObservation> skipped)
    {
        var primaries = new Dictionary<(string Stream, DateTimeOffset At), ObservationCandidate>();
        foreach (var candidate in candidates)
        {
            var key = (candidate.Sample.Stream.Code, candidate.Sample.Timestamp);
            if (!primaries.TryGetValue(key, out var best) || Compare(candidate.SubId, best.SubId) < 0)
            {
                primaries[key] = candidate;
            }
        }

        var kept = new List<ObservationCandidate>();
        foreach (var candidate in candidates)
        {
            var primary = primaries[(candidate.Sample.Stream.Code, candidate.Sample.Timestamp)];
            if (ReferenceEquals(primary, candidate))
            {
                kept.Add(candidate);
                continue;
            }

            skipped.Add(new SkippedObservation(candidate.SetId, candidate.Identifier, string.Create(CultureInfo.InvariantCulture,
                $"another {candidate.Sample.Stream.Code} value at {candidate.Sample.Timestamp:yyyy-MM-ddTHH:mm:ssK}: channel {Name(candidate.SubId)} not used, channel {Name(primary.SubId)} (OBX {primary.SetId}) is the primary")));
        }

        return kept;
    }

    /// <summary>Orders OBX-4 sub-ids: level by level, numbers as numbers; an empty sub-id last.</summary>
    public static int Compare(string a, string b)
    {
        if (a.Length == 0 || b.Length == 0)
        {
            return (a.Length == 0).CompareTo(b.Length == 0);
        }

        var left = a.Split('.');
        var right = b.Split('.');
        for (var i = 0; i < Math.Min(left.Length, right.Length); i++)
        {
            var order = long.TryParse(left[i], NumberStyles.None, CultureInfo.InvariantCulture, out var x)
                && long.TryParse(right[i], NumberStyles.None, CultureInfo.InvariantCulture, out var y)
                ? x.CompareTo(y)
                : string.CompareOrdinal(left[i], right[i]);
            if (order != 0)
            {
                return order;
            }
        }

        return left.Length.CompareTo(right.Length);
    }

    private static string Name(string subId) => subId.Length == 0 ? "(no OBX-4)" : subId;
}
