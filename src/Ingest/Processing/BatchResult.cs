namespace EdgeTwin.Ingest.Processing;

using EdgeTwin.Ingest.Storage;

/// <summary>What a committed batch allows to be sent and announced.</summary>
internal sealed record BatchResult(IReadOnlyList<ReceiptDue> Receipts, IReadOnlyList<AlertRow> Alerts, int Stored, int Duplicates, int Evidence, int AlarmsQueued = 0)
{
    /// <summary><see cref="Evidence"/> by the problem's code (<see cref="EvidenceProblem.Code"/>).</summary>
    public IReadOnlyDictionary<string, int> EvidenceByProblem { get; init; } = new Dictionary<string, int>();

    /// <summary>Messages set aside but not kept as evidence (over <see cref="EvidenceBudget"/>), by the problem's code.</summary>
    public IReadOnlyDictionary<string, int> EvidenceDroppedByProblem { get; init; } = new Dictionary<string, int>();

    /// <summary>Times a chain's links at rest were read back from the store for a record that needed them (a late repeat, mostly).</summary>
    public int LinksRestored { get; init; }
}

/// <summary>The short, bounded name of an evidence problem, for a metric's label.</summary>
internal static class EvidenceProblem
{
    /// <summary>The label for anything that is not a plain problem code.</summary>
    public const string Other = "other";

    /// <summary>
    /// The text before the first ':' (<c>fork: seq 5 ...</c> is <c>fork</c>, <c>missing-member:etp</c>
    /// is <c>missing-member</c>) when it is a code (lowercase letters, digits and '-', at most 40);
    /// else <see cref="Other"/>, so no sender's text ever becomes a label.
    /// </summary>
    public static string Code(string problem)
    {
        var head = problem.AsSpan();
        if (head.IndexOf(':') is var colon and >= 0)
        {
            head = head[..colon];
        }

        return head.Length is >= 1 and <= 40 && head[0] is >= 'a' and <= 'z' && !head.ContainsAnyExcept(Allowed) ? head.ToString() : Other;
    }

    private static readonly System.Buffers.SearchValues<char> Allowed = System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789-");
}
