namespace EdgeTwin.Telemetry.Verification;

using System.Globalization;
using EdgeTwin.Telemetry.Wire;

/// <summary>
/// Verification state of one chain. Linked prefix: seqs 0..<see cref="linkedThrough"/> all link back
/// to genesis (or were vouched for by a gap statement) and collapse to counts plus the head hash.
/// Records ahead of it wait in <see cref="held"/>, at most <c>ReorderWindow</c> seqs ahead. A linked
/// checkpoint with a valid signature by the genesis key makes everything before it verified.
/// </summary>
internal sealed class ChainTracker
{
    private readonly ChainKey chain;
    private readonly VerifierOptions options;
    private readonly HashSet<string>? enrolled;
    private readonly Dictionary<long, HeldRecord> held = [];
    private readonly Dictionary<long, (long Seq, GapStatement Gap)> gapsByFrom = [];
    private readonly RecentHashes recent;
    private readonly List<string> problems = [];

    private string? key;
    private long linkedThrough = -1;
    private Hash32 head = Hash32.Zero;
    private Hash32 headPrev = Hash32.Zero;

    /// <summary>A fork of the head record that links as well; it wins if the next record links to it.</summary>
    private Hash32? headAlternative;
    private long verifiedThrough = -1;
    private bool broken;
    private bool unenrolled;
    private long highestSeq = -1;

    private long received, duplicates, forks, gapCovered, verified, linkedUnverified, badSigs, brokenLinks,
        unknownSigner, rejected, beyondWindow, behindWindow, insideGap, problemsDropped;

    public ChainTracker(ChainKey chain, VerifierOptions options, HashSet<string>? enrolled)
    {
        this.chain = chain;
        this.options = options;
        this.enrolled = enrolled;
        recent = new RecentHashes(Math.Max(1, options.RecentWindow));
    }

    public RecordStatus Add(ParsedRecord record, Hash32 hash, out string? problem)
    {
        problem = null;
        var seq = record.Seq;
        if (seq <= linkedThrough)
        {
            return AddBehind(seq, hash, record.Prev, out problem);
        }

        if (seq > linkedThrough + options.ReorderWindow)
        {
            beyondWindow++;
            problem = VerifierProblems.BeyondWindow;
            Note(seq, problem, $"more than {options.ReorderWindow} ahead of linked seq {linkedThrough}; not held");
            return RecordStatus.Rejected;
        }

        if (held.TryGetValue(seq, out var first))
        {
            if (first.Hash == hash || first.Variants?.Exists(v => v.Hash == hash) == true)
            {
                duplicates++;
                return RecordStatus.Duplicate;
            }

            (first.Variants ??= []).Add(Hold(record, hash, seq));
            return Fork(seq, "a second, different record at this seq", out problem);
        }

        var incoming = Hold(record, hash, seq);
        held[seq] = incoming;
        received++;
        highestSeq = Math.Max(highestSeq, seq);
        if (incoming.Gap is { } gap && gap.From > linkedThrough)
        {
            if (gapsByFrom.TryGetValue(gap.From, out var other) && other.Gap != gap)
            {
                Note(seq, VerifierProblems.ConflictingGap, $"gap statement {gap.From}..{gap.To} conflicts with the one at seq {other.Seq}");
            }
            else
            {
                gapsByFrom[gap.From] = (seq, gap);
            }
        }

        Advance();
        return RecordStatus.New;
    }

    public void Reject(long seq, string problem)
    {
        rejected++;
        Note(seq, problem, "record rejected");
    }

    public ChainReport Report()
    {
        var missing = 0L;
        for (var s = linkedThrough + 1; s <= highestSeq; s++)
        {
            if (!held.ContainsKey(s) && !InPendingGap(s))
            {
                missing++;
            }
        }

        var aheadGapCovered = gapsByFrom.Values.Sum(g => CountNotHeld(g.Gap));
        var list = problemsDropped > 0 ? [.. problems, $"{problemsDropped} more problems not listed"] : problems.ToArray();
        return new ChainReport(
            chain, key, received, duplicates, forks, missing, gapCovered + aheadGapCovered, verified, received - verified,
            badSigs, brokenLinks, unknownSigner, rejected, beyondWindow, behindWindow, verifiedThrough, highestSeq, list);
    }

    public ChainVerifierState Export() => new(
        chain, key, linkedThrough, head.ToString(), verifiedThrough, broken, unenrolled, highestSeq,
        new ChainCounters(received, duplicates, forks, gapCovered, verified, linkedUnverified, badSigs, brokenLinks, unknownSigner, rejected, beyondWindow, behindWindow, insideGap, problemsDropped),
        [.. held.OrderBy(h => h.Key).SelectMany(h => Flatten(h.Key, h.Value))],
        [.. recent.Export()],
        [.. problems],
        headPrev.ToString(),
        headAlternative?.ToString());

    public static ChainTracker Import(ChainVerifierState state, VerifierOptions options, HashSet<string>? enrolled)
    {
        if (!Hash32.TryParse(state.HeadHash, out var head) || state.LinkedThrough < -1 || state.VerifiedThrough > state.LinkedThrough)
        {
            throw new ArgumentException("chain state has a malformed head", nameof(state));
        }

        var t = new ChainTracker(state.Chain, options, enrolled)
        {
            key = state.Key,
            linkedThrough = state.LinkedThrough,
            head = head,
            verifiedThrough = state.VerifiedThrough,
            broken = state.Broken,
            unenrolled = state.Unenrolled,
            highestSeq = state.HighestSeq,
        };
        if (state.HeadPrev is not null)
        {
            t.headPrev = Hash32.TryParse(state.HeadPrev, out var headPrev) ? headPrev : throw new ArgumentException("chain state has a malformed head prev", nameof(state));
        }

        if (state.HeadAlternative is not null)
        {
            t.headAlternative = Hash32.TryParse(state.HeadAlternative, out var alternative) ? alternative : throw new ArgumentException("chain state has a malformed head alternative", nameof(state));
        }

        var c = state.Counters;
        (t.received, t.duplicates, t.forks, t.gapCovered, t.verified, t.linkedUnverified, t.badSigs, t.brokenLinks) =
            (c.Received, c.Duplicates, c.Forks, c.GapCovered, c.Verified, c.LinkedUnverified, c.BadSigs, c.BrokenLinks);
        (t.unknownSigner, t.rejected, t.beyondWindow, t.behindWindow, t.insideGap, t.problemsDropped) =
            (c.UnknownSigner, c.Rejected, c.BeyondWindow, c.BehindWindow, c.InsideGap, c.ProblemsDropped);
        foreach (var (seq, hash) in state.Recent)
        {
            t.recent.Put(seq, hash is not null && Hash32.TryParse(hash, out var h) ? h : null);
        }

        foreach (var h in state.Held)
        {
            if (!Hash32.TryParse(h.Hash, out var hash) || !Hash32.TryParse(h.Prev, out var prev))
            {
                throw new ArgumentException($"held record {h.Seq} has a malformed hash", nameof(state));
            }

            var record = new HeldRecord { Hash = hash, Prev = prev, Kind = h.Kind, GenesisKey = h.GenesisKey, Signer = h.Signer, SigProblem = h.SigProblem, Gap = h.Gap };
            if (t.held.TryGetValue(h.Seq, out var first))
            {
                (first.Variants ??= []).Add(record);
            }
            else
            {
                t.held[h.Seq] = record;
                if (h.Gap is { } gap && gap.From > t.linkedThrough)
                {
                    t.gapsByFrom.TryAdd(gap.From, (h.Seq, gap));
                }
            }
        }

        t.problems.AddRange(state.Problems);
        return t;
    }

    private static IEnumerable<HeldRecordState> Flatten(long seq, HeldRecord r)
    {
        yield return Export(seq, r);
        foreach (var v in r.Variants ?? [])
        {
            yield return Export(seq, v);
        }

        static HeldRecordState Export(long seq, HeldRecord r) =>
            new(seq, r.Hash.ToString(), r.Prev.ToString(), r.Kind, r.GenesisKey, r.Signer, r.SigProblem, r.Gap);
    }

    private HeldRecord Hold(ParsedRecord record, Hash32 hash, long seq)
    {
        string? signer = null, sigProblem = null;
        if (record.Kind == "checkpoint")
        {
            // Recovered once on arrival (the only expensive step); compared with the genesis key when linked.
            var digest = Chain.CheckpointDigest.Compute(chain.Gw, WireNames.Of(chain.Lane), chain.Epoch, seq - 1, record.Prev.ToString());
            if (!Signing.Eip191.TryRecover(digest, record.Sig!, out signer, out sigProblem))
            {
                signer = null;
            }
        }

        return new HeldRecord { Hash = hash, Prev = record.Prev, Kind = record.Kind, GenesisKey = record.GenesisKey, Signer = signer, SigProblem = sigProblem, Gap = record.Gap };
    }

    private RecordStatus AddBehind(long seq, Hash32 hash, Hash32 prev, out string? problem)
    {
        problem = null;
        if (!recent.TryGet(seq, out var known))
        {
            behindWindow++;
            problem = VerifierProblems.BehindWindow;
            Note(seq, problem, "too old to compare with the record linked at this seq");
            return RecordStatus.Rejected;
        }

        if (known is null)
        {
            // The seq was passed on a gap statement's word; the record turns up after all.
            insideGap++;
            received++;
            problem = VerifierProblems.InsideGap;
            Note(seq, problem, "arrived after a gap statement covered it");
            return RecordStatus.New;
        }

        if (known.Value == hash)
        {
            duplicates++;
            return RecordStatus.Duplicate;
        }

        if (seq == linkedThrough && prev == headPrev)
        {
            headAlternative = hash;
        }

        return Fork(seq, "differs from the record already linked at this seq", out problem);
    }

    private RecordStatus Fork(long seq, string detail, out string problem)
    {
        forks++;
        received++;
        problem = VerifierProblems.Fork;
        Note(seq, problem, detail);
        return RecordStatus.Fork;
    }

    private void Advance()
    {
        while (true)
        {
            var next = linkedThrough + 1;
            if (held.Remove(next, out var record))
            {
                var chosen = Choose(next, record);
                if (chosen is null && headAlternative is { } alternative && (record.Prev == alternative || record.Variants?.Exists(v => v.Prev == alternative) == true))
                {
                    // The record linked at the head was the fork; its twin is the one the chain goes on from.
                    head = alternative;
                    recent.Put(linkedThrough, alternative);
                    chosen = Choose(next, record);
                }

                if (chosen is null)
                {
                    chosen = record;
                    BreakAt(next, "prev does not match the hash of the record before");
                }

                Link(next, chosen);

                // Records were there after all: a statement starting here is not needed.
                gapsByFrom.Remove(next);
                continue;
            }

            if (gapsByFrom.Remove(next, out var entry))
            {
                var gap = entry.Gap;
                if (!Hash32.TryParse(gap.FirstPrev, out var firstPrev) || firstPrev != head)
                {
                    BreakAt(next, $"gap statement at seq {entry.Seq}: firstPrev does not match the hash of seq {next - 1}");
                }

                Hash32.TryParse(gap.LastHash, out var lastHash);
                for (var s = Math.Max(gap.From, gap.To - recent.Capacity + 1); s < gap.To; s++)
                {
                    recent.Put(s, null);
                }

                recent.Put(gap.To, lastHash);
                gapCovered += gap.To - gap.From + 1;
                linkedThrough = gap.To;
                head = lastHash;
                headPrev = Hash32.Zero;
                headAlternative = null;
                continue;
            }

            return;
        }
    }

    /// <summary>
    /// Of the records held at one seq (several only after a fork), the one that links to the head;
    /// when more than one does, the one the next record links to.
    /// </summary>
    private HeldRecord? Choose(long seq, HeldRecord first)
    {
        if (first.Variants is null)
        {
            return first.Prev == head ? first : null;
        }

        var linking = first.Variants.Prepend(first).Where(r => r.Prev == head).ToList();
        if (linking.Count > 1 && held.TryGetValue(seq + 1, out var successor))
        {
            var successors = successor.Variants?.Prepend(successor) ?? [successor];
            return linking.Find(r => successors.Any(s => s.Prev == r.Hash)) ?? linking[0];
        }

        return linking.FirstOrDefault();
    }

    private void Link(long seq, HeldRecord record)
    {
        if (seq == 0)
        {
            LinkGenesis(record);
        }
        else if (record.Kind == "checkpoint")
        {
            LinkCheckpoint(seq, record);
        }
        else
        {
            linkedUnverified++;
        }

        if (record.Gap is { } gap && gapsByFrom.TryGetValue(gap.From, out var g) && g.Seq == seq)
        {
            gapsByFrom.Remove(gap.From);
        }

        recent.Put(seq, record.Hash);
        linkedThrough = seq;
        headPrev = head;
        head = record.Hash;
        headAlternative = null;
    }

    private void LinkGenesis(HeldRecord record)
    {
        linkedUnverified++;
        if (record.Kind != "genesis" || record.GenesisKey is null)
        {
            BreakAt(0, $"seq 0 is a '{record.Kind}' record, not genesis");
            return;
        }

        key = record.GenesisKey;
        if (enrolled is not null && !enrolled.Contains(key))
        {
            unenrolled = true;
            unknownSigner++;
            Note(0, VerifierProblems.UnenrolledKey, $"genesis key {key} is not enrolled");
        }
    }

    private void LinkCheckpoint(long seq, HeldRecord record)
    {
        if (record.Signer is null)
        {
            badSigs++;
            Note(seq, $"{VerifierProblems.BadSig}:{record.SigProblem}", "checkpoint signature is malformed");
        }
        else if (key is null || !string.Equals(record.Signer, key, StringComparison.OrdinalIgnoreCase))
        {
            badSigs++;
            Note(seq, VerifierProblems.SignerMismatch, $"checkpoint signed by {record.Signer}, genesis key is {key ?? "unknown"}");
        }
        else if (unenrolled)
        {
            unknownSigner++;
        }
        else if (!broken)
        {
            verified += linkedUnverified;
            linkedUnverified = 0;
            verifiedThrough = seq - 1;
        }

        linkedUnverified++;
    }

    private void BreakAt(long seq, string detail)
    {
        brokenLinks++;
        broken = true;
        Note(seq, VerifierProblems.BrokenLink, detail);
    }

    private bool InPendingGap(long seq) => gapsByFrom.Values.Any(g => seq >= g.Gap.From && seq <= g.Gap.To);

    private long CountNotHeld(GapStatement gap)
    {
        var n = 0L;
        for (var s = gap.From; s <= gap.To; s++)
        {
            n += held.ContainsKey(s) ? 0 : 1;
        }

        return n;
    }

    private void Note(long seq, string problem, string detail)
    {
        if (problems.Count >= options.MaxProblemsPerChain)
        {
            problemsDropped++;
            return;
        }

        problems.Add(string.Create(CultureInfo.InvariantCulture, $"seq {seq}: {problem} ({detail})"));
    }
}
