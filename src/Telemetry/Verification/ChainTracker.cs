namespace EdgeTwin.Telemetry.Verification;

using System.Globalization;
using EdgeTwin.Telemetry.Wire;

/// <summary>
/// Verification state of one chain. Decided prefix: seqs 0..<see cref="linkedThrough"/> are covered
/// by a valid checkpoint (signature by the genesis key) whose links lead back to genesis; they collapse
/// to counts plus the head hash. Every record above it is a candidate, held in <see cref="held"/>:
/// anyone can publish a record, only the gateway can sign a checkpoint. Several records at one seq are
/// held side by side until a valid checkpoint decides: the records its links lead through are the
/// gateway's and verify; the others are unsigned branch records (counted, never a broken chain).
/// Only the gateway's own signatures disagreeing (equivocation) breaks a chain for good. Broken links,
/// bad signatures and missing seqs of the undecided tail are what the records held now show (a walk
/// from the head in <see cref="Report"/>); a late genuine record can still mend them.
/// </summary>
internal sealed class ChainTracker
{
    private readonly ChainKey chain;
    private readonly VerifierOptions options;
    private readonly EnrolledKeys? enrolled;
    private readonly HeldTable held = new();
    // Most chains never hold a gap statement, lose a record or note a problem: the collections for
    // those are made when first needed (memory per tracked chain; docs/benchmarks.md, issue 13 fifth pass).
    private static readonly Dictionary<long, (long Seq, GapStatement Gap)> NoGaps = [];
    // The pending gap statements (made when the chain first holds one): see PendingGaps.
    private PendingGaps? pendingGaps;

    // Whether the signed seqs may hold checkpoints another key signed (indexed before the chain's key was
    // known): the next decision rebuilds them, once the key is known.
    private bool signedUnfiltered;
    private readonly SortedSet<long> signedSeqs = [];
    private readonly RecentHashes recent;

    // What most chains never have, or only within a batch: made when first needed, let go when empty again.
    private Seldom? seldom;

    private string? key;
    private long linkedThrough = -1;

    private Hash32 head = Hash32.Zero;

    /// <summary>How far the held records link from the head (tentatively): the reorder window starts here.</summary>
    private long walkedThrough = -1;
    private Hash32 walkedHead = Hash32.Zero;

    private int heldCount;
    private int alternatives;
    private long verifiedThrough = -1;
    private bool broken;
    private bool unenrolled;
    private long highestSeq = -1;

    private long received, duplicates, gapCovered, verified;

    public ChainTracker(ChainKey chain, VerifierOptions options, EnrolledKeys? enrolled)
    {
        this.chain = chain;
        this.options = options;
        this.enrolled = enrolled;
        recent = new RecentHashes(Math.Max(1, options.RecentWindow));
    }

    private int MaxAlternatives => Math.Max(1, options.MaxHeldRecords / 4);

    /// <summary>From the middle, nothing decided yet and no seq 0 held: the chain starts where its lowest held record is.</summary>
    private bool Floating => options.FromMiddle && key is null && linkedThrough < 0 && !held.ContainsKey(0);

    public RecordStatus Add(ParsedRecord record, Hash32 hash, out string? problem)
    {
        problem = null;
        var seq = record.Seq;
        if (seq < (seldom?.start ?? 0))
        {
            // From the middle: before the first record the verification started from, out of scope (not missing, not checked).
            S.beforeStart++;
            problem = VerifierProblems.BeforeStart;
            return RecordStatus.Rejected;
        }

        if (recent.RestRange is not null && NeedsLinksAtRest(record))
        {
            // Nothing changed: the caller restores the links from its store and adds the record again.
            problem = VerifierProblems.LinksAtRest;
            return RecordStatus.Rejected;
        }

        if (seq <= linkedThrough)
        {
            return AddBehind(record, hash, out problem);
        }

        held.TryGetValue(seq, out var first);
        if (first?.Find(hash) is not null)
        {
            duplicates++;
            return RecordStatus.Duplicate;
        }

        if (record.Gap is { } far && FromBeyondTheWindow(far) && !TakeFarLink(record, far))
        {
            // Nothing changed: the caller gives the link before the statement's first seq from its store.
            problem = VerifierProblems.LinksAtRest;
            return RecordStatus.Rejected;
        }

        if (seq == linkedThrough + 1 && record.Prev != head)
        {
            // The covered record before it is decided; a record that does not link to it is not the gateway's.
            if (SignedByKey(Hold(record, hash, seq)))
            {
                Equivocate(seq, "a checkpoint signed by the gateway key names another record before it than the checkpoint that covers it");
                return Fork(seq, hash, "a second checkpoint signed by the gateway key at this seq", out problem);
            }

            return Unsigned(seq, hash, "its prev is not the hash of the covered record before it", out problem);
        }

        if (seldom?.losers?.Contains(record.Prev) is true)
        {
            return Unsigned(seq, hash, "it links to a record no valid checkpoint covers where one covers another", out problem);
        }

        var newLowest = Floating && seq > 0 && (held.Count == 0 || seq < (seldom?.walkFrom ?? long.MaxValue));
        if ((!newLowest && seq > walkedThrough + options.ReorderWindow) || (first is null && heldCount >= options.MaxHeldRecords))
        {
            S.beyondWindow++;
            problem = VerifierProblems.BeyondWindow;
            Note(seq, problem, first is null && heldCount >= options.MaxHeldRecords
                ? $"{heldCount} records held, none covered yet; not held"
                : $"more than {options.ReorderWindow} ahead of linked seq {walkedThrough}; not held");
            return RecordStatus.Rejected;
        }

        var incoming = Hold(record, hash, seq);
        if (first is not null)
        {
            return AddAlternative(seq, first, incoming, out problem);
        }

        Unblock(seq, incoming);

        held.Set(seq, incoming);
        heldCount++;
        received++;
        highestSeq = Math.Max(highestSeq, seq);
        Register(seq, incoming);
        if (newLowest)
        {
            Walk(linkedThrough, head, null);
        }
        else
        {
            Walk(walkedThrough, walkedHead, null);
        }

        Settle();
        return RecordStatus.New;
    }

    public void Reject(long seq, string problem)
    {
        S.rejected++;
        Note(seq, problem, "record rejected");
    }

    public ChainReport Report()
    {
        var tail = new TailFigures();
        Walk(linkedThrough, head, tail);
        var from = Floating && held.Count > 0 ? held.MinKey() : linkedThrough + 1;
        // A gap statement counts only once decided: until a valid checkpoint's path crosses it, it is anyone's
        // claim, and the seqs it names stay missing (a stranger's statement must not hide a real gap).
        // Missing seqs are those up to the highest seq the gateway vouches for (its signed checkpoint): a record
        // anyone published far ahead is only a claim, and must not show the chain with a gap nor raise its alert.
        var vouched = VouchedThrough();
        var missing = vouched < from ? 0 : vouched - from + 1 - HeldIn(from, vouched);
        var r = seldom ?? Seldom.None;
        var listed = (r.problems ?? []).Concat(tail.Problems).ToList();
        var room = Math.Max(0, options.MaxProblemsPerChain);
        var dropped = r.problemsDropped + Math.Max(0, listed.Count - room);
        var list = dropped > 0 ? [.. listed.Take(room), $"{dropped} more problems not listed"] : listed.ToArray();
        return new ChainReport(
            chain, key ?? tail.Key, received, duplicates, r.forks, missing, gapCovered, verified, received - verified,
            r.badSigs + tail.BadSigs, r.brokenLinks + tail.BrokenLinks, r.unknownSigner + tail.UnknownSigner, r.rejected, r.beyondWindow, r.behindWindow,
            verifiedThrough, highestSeq, list, r.unsignedBranch, Floating && held.Count > 0 ? from : r.start, r.beforeStart);
    }

    /// <summary>
    /// The hash linked at a decided seq still in the recent window (null: passed by a gap statement). In the
    /// log of decided seqs, a gap's last seq is passed too (null), though the window keeps the hash the
    /// statement gives it, which the next record links to.
    /// </summary>
    public bool TryLinked(long seq, out Hash32? hash)
    {
        hash = null;
        if (seq > linkedThrough)
        {
            return false;
        }

        if (seldom?.decidedRecords is { } records && records.TryGetValue(seq, out var h))
        {
            hash = h;
            return true;
        }

        if (seldom?.decidedGaps is { } gaps && gaps.Exists(g => seq >= g.From && seq <= g.To))
        {
            return true;
        }

        return recent.TryGet(seq, out hash);
    }

    /// <summary>A record refused as behind-window that the caller's store showed to be a repeat: one of the chain's duplicates instead.</summary>
    public void CountBehindAsDuplicate()
    {
        if (seldom?.behindWindow > 0)
        {
            seldom.behindWindow--;
            duplicates++;
        }
    }

    /// <summary>Forgets the log of decided seqs (<see cref="VerifierOptions.LogDecidedLinks"/>): the caller has checked them.</summary>
    public void ClearDecided()
    {
        if (seldom is not null)
        {
            seldom.decidedRecords = null;
            seldom.decidedGaps = null;
            LetGoSeldomIfEmpty();
        }

        // A checkpoint decides and removes up to a few hundred held records at once; the table keeps
        // the room they took for as long as the chain is tracked unless given back.
        held.TrimExcess();
    }

    public ChainVerifierState Export() => new(
        chain, key, linkedThrough, head.ToString(), verifiedThrough, broken, unenrolled, highestSeq,
        Counters(),
        [.. held.Ordered().SelectMany(h => h.Value.All.Select(r => Export(h.Key, r)))],
        [.. recent.Export()],
        [.. seldom?.problems ?? []],
        Start: seldom?.start ?? 0,
        BeforeStart: seldom?.beforeStart ?? 0);

    /// <summary>
    /// <see cref="ChainStateCodec.Encode(ChainVerifierState)"/> of <see cref="Export()"/>, the same bytes, written
    /// from the hashes as they are held (the export makes a hex string of each, which the encoding parses back).
    /// </summary>
    public byte[] ExportEncoded()
    {
        List<ChainStateCodec.Held> heldNow = [.. held.Ordered().SelectMany(h => h.Value.All.Select(r =>
            new ChainStateCodec.Held(h.Key, r.Hash, r.Prev, r.Kind, r.GenesisKey, r.Signer, r.SigProblem, r.Gap)))];
        List<(long, Hash32?)> recentNow = [.. recent.ExportHashes()];
        var head = new ChainStateCodec.Head(chain, key, linkedThrough, this.head, verifiedThrough, broken, unenrolled, highestSeq, seldom?.start ?? 0, seldom?.beforeStart ?? 0,
            Counters(), (IReadOnlyList<string>?)seldom?.problems ?? [], null, null);
        return ChainStateCodec.Encode(head, heldNow.Count, heldNow, recentNow.Count, recentNow);
    }

    private ChainCounters Counters()
    {
        var r = seldom ?? Seldom.None;
        return new ChainCounters(received, duplicates, r.forks, gapCovered, verified, r.linkedUnverified, r.badSigs, r.brokenLinks, r.unknownSigner, r.rejected, r.beyondWindow, r.behindWindow, r.insideGap, r.problemsDropped, r.unsignedBranch);
    }

    public static ChainTracker Import(ChainVerifierState state, VerifierOptions options, EnrolledKeys? enrolled)
    {
        if (!Hash32.TryParse(state.HeadHash, out var head))
        {
            throw MalformedHead();
        }

        var parsed = new ChainStateCodec.Head(state.Chain, state.Key, state.LinkedThrough, head, state.VerifiedThrough, state.Broken, state.Unenrolled,
            state.HighestSeq, state.Start, state.BeforeStart, state.Counters, state.Problems, state.HeadPrev, state.HeadAlternative);
        return Import(parsed, HeldOf(state.Held), state.Recent.Select(r => (r.Key, r.Value is not null && Hash32.TryParse(r.Value, out var h) ? h : (Hash32?)null)), options, enrolled);

        static IEnumerable<ChainStateCodec.Held> HeldOf(IReadOnlyList<HeldRecordState> held)
        {
            foreach (var h in held)
            {
                if (!Hash32.TryParse(h.Hash, out var hash) || !Hash32.TryParse(h.Prev, out var prev))
                {
                    throw new ArgumentException($"held record {h.Seq} has a malformed hash", nameof(state));
                }

                yield return new ChainStateCodec.Held(h.Seq, hash, prev, h.Kind, h.GenesisKey, h.Signer, h.SigProblem, h.Gap);
            }
        }
    }

    /// <summary>
    /// A chain from its stored compact bytes read straight into hashes (<see cref="ChainStateCodec.DecodeCompact"/>):
    /// the same tracker as <see cref="Import(ChainVerifierState, VerifierOptions, EnrolledKeys?)"/> of
    /// <see cref="ChainStateCodec.Decode"/>, without a hex string made of every hash only to be parsed back.
    /// </summary>
    public static ChainTracker Import(ChainStateCodec.Compact state, VerifierOptions options, EnrolledKeys? enrolled) =>
        Import(state.Head, state.Held, state.Recent, options, enrolled);

    private static ArgumentException MalformedHead() => new("chain state has a malformed head", "state");

    private static ChainTracker Import(in ChainStateCodec.Head state, IEnumerable<ChainStateCodec.Held> held, IEnumerable<(long Seq, Hash32? Hash)> recent, VerifierOptions options, EnrolledKeys? enrolled)
    {
        if (state.LinkedThrough < -1 || state.VerifiedThrough > state.LinkedThrough)
        {
            throw MalformedHead();
        }

        var t = new ChainTracker(state.Chain, options, enrolled)
        {
            key = state.Key,
            linkedThrough = state.LinkedThrough,
            head = state.HeadHash,
            verifiedThrough = state.VerifiedThrough,
            broken = state.Broken,
            unenrolled = state.Unenrolled,
            highestSeq = state.HighestSeq,
        };

        t.key = t.Shared(t.key);
        var c = state.Counters;
        (t.received, t.duplicates, t.S.forks, t.gapCovered, t.verified, t.S.linkedUnverified, t.S.badSigs, t.S.brokenLinks) =
            (c.Received, c.Duplicates, c.Forks, c.GapCovered, c.Verified, c.LinkedUnverified, c.BadSigs, c.BrokenLinks);
        (t.S.unknownSigner, t.S.rejected, t.S.beyondWindow, t.S.behindWindow, t.S.insideGap, t.S.problemsDropped, t.S.unsignedBranch) =
            (c.UnknownSigner, c.Rejected, c.BeyondWindow, c.BehindWindow, c.InsideGap, c.ProblemsDropped, c.UnsignedBranch);
        long? lowestGiven = null;
        foreach (var (seq, hash) in recent)
        {
            t.recent.Put(seq, hash);
            lowestGiven = Math.Min(seq, lowestGiven ?? seq);
        }

        if (options.LinksAtRestInCallerStore)
        {
            // Exported at rest: the window's seqs below the lowest link listed are kept by the caller's store.
            t.recent.RestBelowGiven(t.linkedThrough, lowestGiven);
        }

        foreach (var h in held)
        {
            if (h.Seq <= t.linkedThrough)
            {
                continue;
            }

            var record = new HeldRecord { Hash = h.Hash, Prev = h.Prev, Kind = h.Kind, GenesisKey = t.Shared(h.GenesisKey), Signer = t.Shared(h.Signer), SigProblem = h.SigProblem, Gap = h.Gap };
            if (t.held.ContainsKey(h.Seq))
            {
                t.held.AddVariant(h.Seq, record);
                t.alternatives++;
            }
            else
            {
                t.held.Set(h.Seq, record);
            }

            t.heldCount++;
        }

        t.S.problems = state.Problems.Count > 0 ? [.. state.Problems] : null;
        t.Reindex();
        t.Walk(t.linkedThrough, t.head, null);
        t.S.beforeStart = state.BeforeStart;
        t.S.start = state.Start;
        t.LetGoSeldomIfEmpty();
        return t;
    }

    private static HeldRecordState Export(long seq, HeldRecord r) =>
        new(seq, r.Hash.ToString(), r.Prev.ToString(), r.Kind, r.GenesisKey, r.Signer, r.SigProblem, r.Gap);

    private HeldRecord Hold(ParsedRecord record, Hash32 hash, long seq)
    {
        string? signer = null, sigProblem = null;
        if (record.Kind == "checkpoint")
        {
            // Recovered once on arrival (the only expensive step); compared with the genesis key when it decides.
            var digest = Chain.CheckpointDigest.Compute(chain.Gw, WireNames.Of(chain.Lane), chain.Epoch, seq - 1, record.Prev.ToString());
            if (!Signing.Eip191.TryRecover(digest, record.Sig!, out signer, out sigProblem))
            {
                signer = null;
            }
        }

        return new HeldRecord { Hash = hash, Prev = record.Prev, Kind = record.Kind, GenesisKey = Shared(record.GenesisKey), Signer = Shared(signer), SigProblem = sigProblem, Gap = record.Gap };
    }

    /// <summary>
    /// The enrolled address or genesis key instance equal to <paramref name="address"/>, if one is
    /// (every checkpoint names the same signer: one string per chain instead of one per held checkpoint).
    /// </summary>
    private string? Shared(string? address) =>
        address is null ? null
        : enrolled is not null && enrolled.TryGetValue(address, out var e) && string.Equals(e, address, StringComparison.Ordinal) ? e
        : string.Equals(address, key, StringComparison.Ordinal) ? key
        : address;

    /// <summary>The record the lowest valid checkpoint waits for: its links reach no further down without it.</summary>
    /// <summary>The address the genesis names, once the genesis is linked; null before.</summary>
    public string? GenesisKey => key;

    /// <summary>The highest seq decided (linked under a valid checkpoint or passed by a gap statement); -1 before any.</summary>
    public long LinkedThrough => linkedThrough;

    /// <summary>
    /// Whether the record (<paramref name="seq"/>, <paramref name="hash"/>) is a checkpoint the gateway signed: held
    /// and signed by the chain's key (before it is known: as a decision would take it, <see cref="Vouches"/>), or
    /// decided (only the gateway's records are). A stranger's own checkpoints are held too, as candidates.
    /// </summary>
    public bool SignedCheckpoint(long seq, Hash32 hash) =>
        held.TryGetValue(seq, out var first) && first.Find(hash) is { } r
            ? Vouches(r)
            : seq <= linkedThrough && recent.TryGet(seq, out var decided) && decided == hash;

    public (long Seq, Hash32 Hash)? Needed() => seldom?.blocked is { } b && b.DecidedThrough == linkedThrough && b.Seq > linkedThrough ? (b.Seq, b.Need) : null;

    /// <summary>A record that may let the lowest valid checkpoint's links reach further: look again.</summary>
    private void Unblock(long seq, HeldRecord incoming)
    {
        // A checkpoint above the blocked one may cross, on its own path, a gap statement over the seq it waits for
        // (only one that may decide: a stranger's own checkpoints must not make every one of them a new trace).
        if (seldom?.blocked is { } b && (b.Seq == seq || seq == 0 || incoming.Gap is not null || (incoming.Signer is not null && seq < b.Checkpoint)
            || (MayDecide(incoming) && InPendingGap(b.Seq))))
        {
            S.blocked = null;
        }
    }

    private RecordStatus AddAlternative(long seq, HeldRecord first, HeldRecord incoming, out string? problem)
    {
        var needed = Needed() is { } n && n.Seq == seq && n.Hash == incoming.Hash;
        var count = 1 + (first.Variants?.Count ?? 0);
        if (!needed && (count >= options.MaxAlternativesPerSeq || alternatives >= MaxAlternatives || heldCount >= options.MaxHeldRecords))
        {
            S.unsignedBranch++;
            problem = VerifierProblems.TooManyAlternatives;
            Note(seq, problem, $"{count} different records already held at this seq; not held");
            return RecordStatus.Rejected;
        }

        if (SignedByKey(incoming) && first.All.Any(r => SignedByKey(r) && r.Prev != incoming.Prev))
        {
            Equivocate(seq, "two checkpoints signed by the gateway key at this seq name different records before them");
        }

        Unblock(seq, incoming);
        held.AddVariant(seq, incoming);
        heldCount++;
        alternatives++;
        received++;
        Register(seq, incoming);
        problem = VerifierProblems.Alternative;
        Note(seq, problem, "a second, different record at a seq no checkpoint covers yet; held until one does");
        if (seq <= walkedThrough + 1)
        {
            Walk(linkedThrough, head, null);
        }

        Settle();
        return RecordStatus.Alternative;
    }

    /// <summary>The caller's note of the state it exported last (<see cref="StreamVerifier.NoteExported"/>; zero: none); not part of the state.</summary>
    public Hash32 ExportedDigest { get; set; }

    /// <summary>
    /// Whether deciding the record would look up a link at rest: its own seq's (a repeat or a fork), the one
    /// before a late checkpoint (equivocation), or the one before a gap statement's first seq (crossing from
    /// decided seqs). Held gap statements keep the links at work (<see cref="Rest"/>), so no later decision needs more.
    /// </summary>
    private bool NeedsLinksAtRest(ParsedRecord record) =>
        recent.AtRest(record.Seq)
        || (record.Seq <= linkedThrough && record.Kind == "checkpoint" && recent.AtRest(record.Seq - 1))
        || (record.Gap is { } g && recent.AtRest(g.From - 1));

    /// <summary>
    /// With <see cref="VerifierOptions.LinksAtRestInCallerStore"/>: puts the remembered links at rest when the
    /// caller's store holds the linked record at every one of them (<paramref name="storedThrough"/>: through
    /// where it confirmed that, at least the decided head), none was passed on a gap statement's word, and no
    /// held gap statement starts right after one of them (its crossing looks that link up: a stranger's
    /// statement held ahead keeps them in memory, not out of the decision). False: nothing changed.
    /// </summary>
    public bool Rest(long storedThrough) =>
        options.LinksAtRestInCallerStore && linkedThrough <= storedThrough && recent.Newest >= 0
        && (pendingGaps is null || pendingGaps.Froms.GetViewBetween(recent.Lowest + 1, recent.Newest + 1).Count == 0)
        && recent.Rest(storedThrough);

    /// <summary>
    /// The seqs whose links the caller is to give back from its store: those at rest (<see cref="Rest"/>), or the
    /// one before a gap statement's first seq further back than the window (<see cref="TakeFarLink"/>); null when none.
    /// </summary>
    public (long From, long To)? LinksAtRest => seldom?.wanted is { } w ? (w, w) : recent.RestRange;

    /// <summary>
    /// With <see cref="VerifierOptions.LinksAtRestInCallerStore"/>: a gap statement reaching past the decided head
    /// whose first seqs were decided so long ago that the link before them has left the window. Without it the
    /// statement could never be crossed (a gateway that evicted records the ingest had verified, its receipts
    /// lost, and stated them with the ones after its head: the chain would wait for ever).
    /// </summary>
    private bool FromBeyondTheWindow(GapStatement g) =>
        options.LinksAtRestInCallerStore && g.To > linkedThrough && g.From - 1 >= 0 && g.From - 1 <= linkedThrough
        && !recent.TryGet(g.From - 1, out _) && !recent.AtRest(g.From - 1);

    /// <summary>
    /// The link before a far gap statement's first seq, as the caller's store gave it (asked for the first time:
    /// false). When it is the statement's first prev, the statement is held as crossing from the decided head on,
    /// as a statement from decided seqs within the window is crossed (<see cref="Trace"/>); else as it came, and
    /// it cannot be crossed.
    /// </summary>
    private bool TakeFarLink(ParsedRecord record, GapStatement g)
    {
        if (seldom?.supplied is not { } given || given.Seq != g.From - 1)
        {
            S.wanted = g.From - 1;
            return false;
        }

        seldom.supplied = null;
        if (given.Hash is { } h && Hash32.TryParse(g.FirstPrev, out var firstPrev) && h == firstPrev)
        {
            record.Gap = g with { From = linkedThrough + 1, FirstPrev = head.ToString() };
        }

        LetGoSeldomIfEmpty();
        return true;
    }

    /// <summary>
    /// The links at rest, from the caller's store (seq to the hash of the record stored there). The decided
    /// head must be the record the head hash names; a seq with no record any more (dropped by retention), or a
    /// head that disagrees, forgets them all instead (older than the window, as far as this tracker says).
    /// </summary>
    public void RestoreLinks(IReadOnlyDictionary<long, Hash32> stored)
    {
        if (seldom?.wanted is { } w)
        {
            // The link before a far gap statement (TakeFarLink): kept for the statement's next arrival only.
            seldom.supplied = (w, stored.TryGetValue(w, out var h) ? h : null);
            seldom.wanted = null;
            return;
        }

        if (recent.RestRange is { } range && range.To == linkedThrough && (!stored.TryGetValue(linkedThrough, out var top) || top != head))
        {
            stored = new Dictionary<long, Hash32>();
        }

        recent.Restore(stored);
    }

    private RecordStatus AddBehind(ParsedRecord record, Hash32 hash, out string? problem)
    {
        problem = null;
        var seq = record.Seq;
        if (!recent.TryGet(seq, out var known))
        {
            S.behindWindow++;
            problem = VerifierProblems.BehindWindow;
            Note(seq, problem, "too old to compare with the record linked at this seq");
            return RecordStatus.Rejected;
        }

        if (known is null)
        {
            // The seq was passed on a gap statement's word; the record turns up after all. A repeat of
            // one that turned up already is a duplicate, as it would have been before the gap was decided
            // (remembered in memory, at most RecentWindow of them).
            if (seldom?.insideGapArrivals?.Contains((seq, hash)) is true)
            {
                duplicates++;
                return RecordStatus.Duplicate;
            }

            if ((S.insideGapArrivals ??= []).Count < options.RecentWindow)
            {
                S.insideGapArrivals.Add((seq, hash));
            }

            S.insideGap++;
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

        if (record.Kind == "checkpoint" && SignedByKey(Hold(record, hash, seq)) && recent.TryGet(seq - 1, out var before) && before is { } b && b != record.Prev)
        {
            Equivocate(seq, "a checkpoint signed by the gateway key names another record before it than the chain its checkpoints cover");
        }

        return Fork(seq, hash, "differs from the record a valid checkpoint covers at this seq", out problem);
    }

    private RecordStatus Fork(long seq, Hash32 hash, string detail, out string problem)
    {
        S.forks++;
        received++;
        problem = VerifierProblems.Fork;
        Note(seq, problem, detail);
        LoseDescendants(seq, hash);
        return RecordStatus.Fork;
    }

    private RecordStatus Unsigned(long seq, Hash32 hash, string detail, out string problem)
    {
        S.unsignedBranch++;
        problem = VerifierProblems.UnsignedBranch;
        Note(seq, problem, detail);
        LoseDescendants(seq, hash);
        return RecordStatus.Rejected;
    }

    /// <summary>A record decided not to be the gateway's: records held above that link to it are not either.</summary>
    private void LoseDescendants(long seq, Hash32 hash)
    {
        Remember(hash);
        var pending = new Queue<(long Seq, Hash32 Hash)>([(seq, hash)]);
        var changed = false;
        while (pending.TryDequeue(out var p))
        {
            if (!held.TryGetValue(p.Seq + 1, out var first) || !first.All.Any(r => r.Prev == p.Hash))
            {
                continue;
            }

            foreach (var r in first.All.Where(r => r.Prev == p.Hash).ToList())
            {
                heldCount--;
                Lose(p.Seq + 1, r, "it links to a record decided not to be the gateway's");
                pending.Enqueue((p.Seq + 1, r.Hash));
            }

            Keep(p.Seq + 1, first, [.. first.All.Where(r => r.Prev != p.Hash)]);
            changed = true;
        }

        if (changed)
        {
            Reindex();
            Walk(linkedThrough, head, null);
        }
    }

    private void Remember(Hash32 loser)
    {
        if (!(S.losers ??= []).Add(loser))
        {
            return;
        }

        (S.loserOrder ??= new()).Enqueue(loser);
        if (S.loserOrder.Count > MaxAlternatives)
        {
            S.losers.Remove(S.loserOrder.Dequeue());
        }
    }

    private bool SignedByKey(HeldRecord r) =>
        r.Kind == "checkpoint" && r.Signer is not null && key is not null && string.Equals(r.Signer, key, StringComparison.OrdinalIgnoreCase);

    private void Equivocate(long seq, string detail)
    {
        S.brokenLinks++;
        broken = true;
        Note(seq, VerifierProblems.Equivocation, detail);
    }

    private void Register(long seq, HeldRecord record)
    {
        if (MayDecide(record))
        {
            signedSeqs.Add(seq);
            signedUnfiltered |= key is null;
        }

        if (record.Gap is { } gap && gap.To > linkedThrough)
        {
            if (pendingGaps is null || !pendingGaps.ByFrom.TryGetValue(gap.From, out var other))
            {
                (pendingGaps ??= new()).TryAdd(seq, gap);
            }
            else
            {
                pendingGaps.Ambiguous |= other.Seq != seq;
                if (other.Gap != gap)
                {
                    Note(seq, VerifierProblems.ConflictingGap, $"gap statement {gap.From}..{gap.To} conflicts with the one at seq {other.Seq}");
                }
                else
                {
                    pendingGaps.ByFrom[gap.From] = (seq, gap); // the same statement again
                }
            }
        }
    }

    /// <summary>
    /// A checkpoint whose signature may decide: signed, and once the chain's key is known, by that key.
    /// Settle tries the signed seqs above the decided head in order, and a stranger's thousands of
    /// checkpoints signed with its own key, held far ahead, made it step through all of them for every record.
    /// </summary>
    private bool MayDecide(HeldRecord r) =>
        r.Kind == "checkpoint" && r.Signer is not null && (key is null || string.Equals(r.Signer, key, StringComparison.OrdinalIgnoreCase));

    private void Reindex()
    {
        signedSeqs.Clear();
        (pendingGaps, signedUnfiltered) = (null, key is null);
        foreach (var (seq, first) in held.Ordered())
        {
            foreach (var r in first.All)
            {
                if (MayDecide(r))
                {
                    signedSeqs.Add(seq);
                }

                if (r.Gap is { } gap && gap.To > linkedThrough)
                {
                    if (!(pendingGaps ??= new()).TryAdd(seq, gap))
                    {
                        pendingGaps.Ambiguous = true;
                    }
                }
            }
        }
    }

    /// <summary>Decides as long as a valid checkpoint's links lead down to the decided head.</summary>
    private void Settle()
    {
        while (TryDecide())
        {
        }
    }

    private bool TryDecide()
    {
        if (seldom?.blocked is { } b && b.DecidedThrough == linkedThrough)
        {
            return false; // nothing arrived that the lowest valid checkpoint was waiting for
        }

        // Before genesis is decided, only a genesis held at seq 0 can name the key a checkpoint must be signed by.
        // With enrolment, only an enrolled key decides: a stranger's own genesis and checkpoints cannot.
        // From the middle, with no genesis held, an enrolled key is the gateway's: the first checkpoint it signed anchors the chain.
        var keys = key is not null ? [key]
            : held.TryGetValue(0, out var g) ? g.All.Select(r => r.GenesisKey).OfType<string>().Where(k => enrolled is null || enrolled.Contains(k)).ToList()
            : Floating && enrolled is not null ? [.. enrolled]
            : [];
        if (keys.Count == 0)
        {
            return false;
        }

        foreach (var c in signedSeqs.GetViewBetween(linkedThrough + 2, long.MaxValue))
        {
            var checkpoints = held[c].All.Where(r => r.Kind == "checkpoint" && r.Signer is not null && keys.Contains(r.Signer, StringComparer.OrdinalIgnoreCase)).ToList();
            long? stoppedAt = null;
            foreach (var cp in checkpoints)
            {
                var path = new List<(long Seq, HeldRecord? Record, GapStatement? Gap)>();
                if (Trace(c, cp, path, out var stop))
                {
                    var genesis = linkedThrough >= 0 ? null : path.Find(p => p.Seq == 0).Record;
                    if (genesis is null && linkedThrough < 0)
                    {
                        continue;
                    }

                    if (genesis is not null && !string.Equals(genesis.GenesisKey, cp.Signer, StringComparison.OrdinalIgnoreCase))
                    {
                        continue; // signed by the key of another genesis held at seq 0
                    }

                    Decide(c, cp, path);
                    return true;
                }

                if (Floating && stop.Seq >= 0 && !held.Keys.Any(s => s <= stop.Seq))
                {
                    // Nothing held below where its links stop: what lies before is out of scope, not missing.
                    (S.start, linkedThrough, head, key) = (stop.Seq + 1, stop.Seq, stop.Need, cp.Signer);
                    Decide(c, cp, path);
                    return true;
                }

                if (stop.Seq == linkedThrough && key is not null)
                {
                    Equivocate(c, $"checkpoint signed by the gateway key leads to another record at seq {linkedThrough} than the checkpoint that covers it");
                }

                S.blocked = (linkedThrough, c, stop.Seq, stop.Need);
                stoppedAt = stop.Seq > linkedThrough ? stop.Seq : stoppedAt;
            }

            // A higher checkpoint's links pass through the same seqs, unless this one lies inside a gap
            // statement: evicted with the records it covers (a copy published before its deletion reached
            // the disk), it can never be decided, and a later checkpoint crosses the gap. The same when its
            // links stop at a seq a gap statement held above names (the gateway evicted records this
            // checkpoint covers and said so later): a checkpoint above the statement crosses it, on its own
            // path, so on the gateway's word. A stranger's gap claim only makes the higher ones tried too.
            if (checkpoints.Count > 0 && !InPendingGap(c) && !(stoppedAt is { } x && InPendingGap(x)))
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>
    /// Follows the links of checkpoint <paramref name="cp"/> at seq <paramref name="c"/> down to the decided head,
    /// by hash: each step takes the record held at the seq below whose hash is the prev it needs, or the gap
    /// statement of a record already on the path. False when a needed record is not held (<paramref name="stop"/>).
    /// </summary>
    private bool Trace(long c, HeldRecord cp, List<(long Seq, HeldRecord? Record, GapStatement? Gap)> path, out (long Seq, Hash32 Need) stop)
    {
        var need = cp.Prev;
        var gaps = new List<GapStatement>();
        if (cp.Gap is { } own)
        {
            gaps.Add(own);
        }

        var x = c - 1;
        while (x > linkedThrough)
        {
            if (held.TryGetValue(x, out var first) && first.Find(need) is { } record)
            {
                path.Add((x, record, null));
                if (record.Gap is { } gap)
                {
                    gaps.Add(gap);
                }

                need = record.Prev;
                x--;
                continue;
            }

            // Only a gap statement of a record on the path: one held anywhere else is anyone's claim (every hash it
            // needs travels on the broker), and a checkpoint crossing a seq on it would pass a record of the
            // gateway's still in flight, which then could never be data (before 2026-12-08 such a claim was
            // crossed; a checkpoint above the statement crosses a genuine one instead, see TryDecide).
            // A gap may also cover seqs above x that the path took as records: a record evicted but
            // published before its deletion reached the disk is held with the very hash the gap names
            // for its last seq. The path then steps back up to that seq and crosses the gap there.
            // A gap whose first records were decided already (published before their deletion, and
            // covered by a checkpoint among them) is crossed from the decided head on, when the
            // statement's firstPrev agrees with what was decided.
            var n = need;
            GapStatement? Usable(GapStatement g)
            {
                if (g.To < x || g.To <= linkedThrough || g.From > x || !Hash32.TryParse(g.LastHash, out var last)
                    || last != (g.To == x ? n : path.Find(p => p.Seq == g.To).Record?.Hash))
                {
                    return null;
                }

                if (g.From > linkedThrough)
                {
                    return g;
                }

                return recent.TryGet(g.From - 1, out var before) && before is { } b && Hash32.TryParse(g.FirstPrev, out var firstPrev) && b == firstPrev
                    ? g with { From = linkedThrough + 1, FirstPrev = head.ToString() }
                    : null;
            }

            var jump = gaps.Select(Usable).FirstOrDefault(g => g is not null);
            if (jump is not null && Hash32.TryParse(jump.FirstPrev, out var firstPrev))
            {
                if (jump.To > x)
                {
                    path.RemoveAll(p => p.Seq <= jump.To);
                    gaps.Clear();
                    gaps.AddRange(path.Select(p => p.Record?.Gap).Prepend(cp.Gap).OfType<GapStatement>());
                }

                path.Add((jump.To, null, jump));
                need = firstPrev;
                x = jump.From - 1;
                continue;
            }

            stop = (x, need);
            return false;
        }

        stop = (x, need);
        return need == head;
    }

    private void Decide(long c, HeldRecord cp, List<(long Seq, HeldRecord? Record, GapStatement? Gap)> path)
    {
        var from = linkedThrough + 1;
        var lostAbove = false;
        var count = 0L;
        for (var i = path.Count - 1; i >= 0; i--)
        {
            var (seq, record, gap) = path[i];
            if (record is not null)
            {
                LinkDecided(seq, record);
                count++;
                continue;
            }

            Hash32.TryParse(gap!.LastHash, out var lastHash);
            for (var s = Math.Max(gap.From, gap.To - recent.Capacity + 1); s < gap.To; s++)
            {
                recent.Put(s, null);
            }

            // Every seq the statement covers, its last too, is passed on its word: the caller (the ingest)
            // has no record to find there. The window keeps the last one's hash for the next link.
            if (options.LogDecidedLinks)
            {
                (S.decidedGaps ??= []).Add((gap.From, gap.To));
            }
            recent.Put(gap.To, lastHash, fromGap: true);
            gapCovered += gap.To - gap.From + 1;
        }

        // What else was held at the seqs decided: the path (ordered from its highest seq down, one entry per
        // record, one per gap statement for the seqs it covers) is walked up beside them, nothing built.
        var at = path.Count - 1;
        for (var s = from; s < c; s++)
        {
            while (at > 0 && path[at].Seq < s)
            {
                at--;
            }

            // The path's record at s, or the gap statement whose range holds s (the entry's seq is its last).
            var (onSeq, onRecord, onGap) = path.Count > 0 ? path[at] : default;
            var here = onSeq == s ? onRecord : null;
            if (here is not null && held.RemoveFirstOfRun(s, here.Hash))
            {
                heldCount--; // the record on the path, alone at its seq
                continue;
            }

            if (!held.Remove(s, out var first))
            {
                continue;
            }

            for (var k = -1; k < (first.Variants?.Count ?? 0); k++)
            {
                var r = k < 0 ? first : first.Variants![k];
                heldCount--;
                if (here is not null && here.Hash == r.Hash)
                {
                    continue;
                }

                if (onGap is not null && onGap.From <= s && s <= onGap.To)
                {
                    if (s == onGap.To && Hash32.TryParse(onGap.LastHash, out var last) && last == r.Hash)
                    {
                        continue;
                    }

                    if (s < onGap.To)
                    {
                        if ((S.insideGapArrivals ??= []).Count < options.RecentWindow)
                        {
                            S.insideGapArrivals.Add((s, r.Hash));
                        }

                        S.insideGap++;
                        Note(s, VerifierProblems.InsideGap, "held at a seq a gap statement on the signed chain vouches for");
                        continue;
                    }
                }

                // A copy of a genuine checkpoint with other bytes names the same record before it: a stranger's, not equivocation.
                Lose(s, r, "a valid checkpoint covers another record at this seq", equivocates: here is null || here.Prev != r.Prev);
            }

            alternatives -= first.Variants?.Count ?? 0;
        }

        if (!broken && !unenrolled)
        {
            verified += (seldom?.linkedUnverified ?? 0) + count;
            if (seldom is not null)
            {
                seldom.linkedUnverified = 0;
            }
            verifiedThrough = c - 1;
        }
        else
        {
            S.linkedUnverified += count;
        }

        linkedThrough = c - 1;
        head = cp.Prev;
        if (seldom is not null)
        {
            seldom.blocked = null;
        }

        // The record after the decided head must link to it: whatever does not is not the gateway's.
        if (held.TryGetValue(c, out var next) && next.All.Any(r => r.Prev != head))
        {
            lostAbove = true;
            var keep = next.All.Where(r => r.Prev == head).ToList();
            foreach (var r in next.All.Where(r => r.Prev != head))
            {
                heldCount--;
                Lose(c, r, "its prev is not the hash of the covered record before it");
            }

            Keep(c, next, keep);
        }

        // Records that link to a record just decided against are not the gateway's either.
        foreach (var seq in seldom?.losers is null ? [] : held.Keys.Where(s => s > c).Order().ToList())
        {
            var first = held[seq];
            var lost = S.losers!;
            if (first.All.Any(r => lost.Contains(r.Prev)))
            {
                lostAbove = true;
                var keep = first.All.Where(r => !lost.Contains(r.Prev)).ToList();
                foreach (var r in first.All.Where(r => lost.Contains(r.Prev)))
                {
                    heldCount--;
                    Lose(seq, r, "it links to a record a valid checkpoint decided against");
                }

                Keep(seq, first, keep);
            }
        }

        // The decided records left the table: give back the room they took (memory per chain).
        held.TrimExcess();
        if (lostAbove || pendingGaps?.Ambiguous is true || (signedUnfiltered && key is not null))
        {
            Reindex();
        }
        else
        {
            // Only the decided seqs left: what the indexes hold of them goes, the rest stays as it is (as
            // Reindex would make it again). Rebuilding them took most of a decision's time with thousands
            // of a stranger's records held ahead (ChainTrackerAdversaryTests).
            DropDecided(c);
        }

        Walk(linkedThrough, head, null);
    }

    /// <summary>After a decision up to checkpoint <paramref name="c"/> that removed nothing but seqs below it: their signed seqs and gap statements, and the statements now behind the decided head, leave the indexes.</summary>
    private void DropDecided(long c)
    {
        signedSeqs.RemoveWhere(s => s < c);
        if (pendingGaps is null)
        {
            return;
        }

        foreach (var from in pendingGaps.ByFrom.Where(e => e.Value.Seq < c || e.Value.Gap.To <= linkedThrough).Select(e => e.Key).ToList())
        {
            pendingGaps.Remove(from);
        }

        if (pendingGaps.ByFrom.Count == 0)
        {
            pendingGaps = null;
        }
    }

    /// <summary>Leaves only <paramref name="keep"/> (of the records held at <paramref name="seq"/>) held there.</summary>
    private void Keep(long seq, HeldRecord first, List<HeldRecord> keep)
    {
        alternatives -= (first.Variants?.Count ?? 0) - Math.Max(0, keep.Count - 1);
        if (keep.Count == 0)
        {
            held.Remove(seq);
            return;
        }

        keep[0].Variants = keep.Count > 1 ? keep.Skip(1).ToList() : null;
        held.Set(seq, keep[0]);
    }

    private void Lose(long seq, HeldRecord r, string detail, bool equivocates = true)
    {
        Remember(r.Hash);
        if (equivocates && SignedByKey(r))
        {
            // Not a stranger's record: the gateway signed two chains. It stays a received fork.
            Equivocate(seq, "two checkpoints signed by the gateway key disagree on the chain");
            S.forks++;
            Note(seq, VerifierProblems.Fork, detail);
            return;
        }

        received--;
        S.unsignedBranch++;
        Note(seq, VerifierProblems.UnsignedBranch, detail);
    }

    private void LinkDecided(long seq, HeldRecord record)
    {
        if (seq == 0)
        {
            key = Shared(record.GenesisKey);
            if (enrolled is not null && key is not null && !enrolled.Contains(key))
            {
                unenrolled = true;
                S.unknownSigner++;
                Note(0, VerifierProblems.UnenrolledKey, $"genesis key {key} is not enrolled");
            }
        }
        else if (record.Kind == "checkpoint")
        {
            if (record.Signer is null)
            {
                S.badSigs++;
                Note(seq, $"{VerifierProblems.BadSig}:{record.SigProblem}", "checkpoint signature is malformed");
            }
            else if (!string.Equals(record.Signer, key, StringComparison.OrdinalIgnoreCase))
            {
                S.badSigs++;
                Note(seq, VerifierProblems.SignerMismatch, $"checkpoint signed by {record.Signer}, genesis key is {key ?? "unknown"}");
            }
            else if (unenrolled)
            {
                S.unknownSigner++;
            }
        }

        recent.Put(seq, record.Hash);
        if (options.LogDecidedLinks)
        {
            (S.decidedRecords ??= [])[seq] = record.Hash;
        }
    }

    /// <summary>
    /// Links held records from (<paramref name="from"/>, <paramref name="hash"/>) as far as they go, the way
    /// a verifier without signatures would: at a seq with several linking records, the one the next record
    /// links to. Sets the reorder window's start; with <paramref name="tail"/>, also counts what the
    /// undecided tail shows (bad signatures, a broken link where it stops).
    /// </summary>
    private void Walk(long from, Hash32 hash, TailFigures? tail)
    {
        var x = from;
        var h = hash;
        var k = key;
        if (from < 0 && Floating && held.Count > 0)
        {
            var lowest = S.walkFrom = held.MinKey();
            (x, h) = (lowest - 1, held[lowest].Prev);
        }

        while (true)
        {
            var s = x + 1;
            if (held.TryGetValue(s, out var first))
            {
                var linking = first.All.Where(r => r.Prev == h).ToList();
                if (linking.Count == 0)
                {
                    // Only a record that links to nothing held before it is a broken link; one that links
                    // to another record held at the seq before is on another branch, for a checkpoint to decide.
                    if (!held.TryGetValue(s - 1, out var before) || !first.All.Any(r => before.Find(r.Prev) is not null))
                    {
                        tail?.Break(s, "prev does not match the hash of the record before");
                    }

                    break;
                }

                var chosen = linking.Count == 1 || !held.TryGetValue(s + 1, out var successor)
                    ? linking[0]
                    : linking.Find(r => successor.All.Any(n => n.Prev == r.Hash)) ?? linking[0];
                if (s == 0)
                {
                    if (chosen.Kind != "genesis" || chosen.GenesisKey is null)
                    {
                        tail?.Break(0, $"seq 0 is a '{chosen.Kind}' record, not genesis");
                        break;
                    }

                    k = chosen.GenesisKey;
                    if (tail is not null)
                    {
                        tail.Key = k;
                        if (enrolled is not null && !enrolled.Contains(k))
                        {
                            tail.UnknownSigner++;
                            tail.Note(0, VerifierProblems.UnenrolledKey, $"genesis key {k} is not enrolled");
                        }
                    }
                }
                else if (chosen.Kind == "checkpoint" && tail is not null)
                {
                    if (chosen.Signer is null)
                    {
                        tail.BadSigs++;
                        tail.Note(s, $"{VerifierProblems.BadSig}:{chosen.SigProblem}", "checkpoint signature is malformed");
                    }
                    else if (k is null || !string.Equals(chosen.Signer, k, StringComparison.OrdinalIgnoreCase))
                    {
                        tail.BadSigs++;
                        tail.Note(s, VerifierProblems.SignerMismatch, $"checkpoint signed by {chosen.Signer}, genesis key is {k ?? "unknown"}");
                    }
                    else if (enrolled is not null && !enrolled.Contains(k))
                    {
                        tail.UnknownSigner++;
                    }
                }

                x = s;
                h = chosen.Hash;
                continue;
            }

            if (pendingGaps is not null && pendingGaps.ByFrom.TryGetValue(s, out var entry))
            {
                var gap = entry.Gap;
                if (!Hash32.TryParse(gap.FirstPrev, out var firstPrev) || firstPrev != h)
                {
                    tail?.Break(s, $"gap statement at seq {entry.Seq}: firstPrev does not match the hash of seq {s - 1}");
                    break;
                }

                Hash32.TryParse(gap.LastHash, out h);
                x = gap.To;
                continue;
            }

            break;
        }

        if (tail is null)
        {
            walkedThrough = x;
            walkedHead = h;
        }
    }

    private Dictionary<long, (long Seq, GapStatement Gap)> Gaps => pendingGaps?.ByFrom ?? NoGaps;

    private bool InPendingGap(long seq) =>
        pendingGaps is { } p && p.Froms.GetViewBetween(long.MinValue, seq).Any(from => Examined(p.ByFrom[from].Gap.To >= seq));

    /// <summary>For tests: whether two held records state a gap from the same first seq (then a decision rebuilds the indexes).</summary>
    internal bool GapsAmbiguous => pendingGaps?.Ambiguous is true;

    /// <summary>For tests: how many pending gap statements this thread's trackers looked at to cross or place a seq.</summary>
    [ThreadStatic]
    internal static long GapStatementsExamined;

    private static bool Examined(bool answer)
    {
        GapStatementsExamined++;
        return answer;
    }

    /// <summary>
    /// For tests: whether the indexes (signed seqs, gap statements and the order they are tried in) hold what
    /// <see cref="Reindex"/> would make of the held records now. Leaves them as they were.
    /// </summary>
    internal bool IndexesAsRebuilt()
    {
        var signed = signedSeqs.ToArray();
        var saved = (pendingGaps, signedUnfiltered);
        var gaps = GapIndexes();
        Reindex();
        var same = signed.SequenceEqual(signedSeqs) && gaps.SequenceEqual(GapIndexes());
        signedSeqs.Clear();
        signedSeqs.UnionWith(signed);
        (pendingGaps, signedUnfiltered) = saved;
        return same;

        List<(long From, long Seq, GapStatement Gap, long To)> GapIndexes() =>
            pendingGaps is not { } p ? []
            : [.. p.ByFrom.OrderBy(e => e.Key).Select(e => (e.Key, e.Value.Seq, e.Value.Gap, p.Froms.Contains(e.Key) ? e.Value.Gap.To : -2))];
    }

    /// <summary>
    /// The highest seq the gateway vouches for: the decided head, or a held checkpoint above it signed by the
    /// chain's key (before the key is known: by an enrolled key, or with no enrolment by any key, as a decision
    /// would take it). Every seq below such a checkpoint was made by the gateway, so one not held is missing;
    /// a seq above it is known only from records anyone can publish.
    /// </summary>
    private long VouchedThrough()
    {
        foreach (var seq in signedSeqs.Reverse())
        {
            if (seq > linkedThrough && held.TryGetValue(seq, out var first) && first.All.Any(Vouches))
            {
                return seq;
            }
        }

        return linkedThrough;
    }

    /// <summary>A checkpoint that may decide (<see cref="MayDecide"/>) and, before the chain's key is known, by an enrolled key when there is enrolment.</summary>
    private bool Vouches(HeldRecord r) => MayDecide(r) && (key is not null || enrolled is null || enrolled.Contains(r.Signer!));

    /// <summary>How many held seqs lie in <paramref name="a"/>..<paramref name="b"/>: one pass, no sorted copy (a report comes with every batch of the chain).</summary>
    private long HeldIn(long a, long b)
    {
        long n = 0;
        foreach (var seq in held.Keys)
        {
            n += seq >= a && seq <= b ? 1 : 0;
        }

        return n;
    }

    /// <summary>For tests: what a report counts missing and gap-covered seqs from (the first seq in scope, the decided head, the highest seq, the held seqs, the pending gap statements, the seqs decided gaps passed).</summary>
    internal (long From, long LinkedThrough, long HighestSeq, long[] Held, GapStatement[] PendingGaps, long DecidedGapCovered) CountInputs() =>
        (Floating && held.Count > 0 ? held.MinKey() : linkedThrough + 1, linkedThrough, highestSeq, [.. held.Keys], [.. Gaps.Values.Select(g => g.Gap)], gapCovered);

    private void Note(long seq, string problem, string detail)
    {
        if ((S.problems?.Count ?? 0) >= options.MaxProblemsPerChain)
        {
            S.problemsDropped++;
            return;
        }

        (S.problems ??= []).Add(Line(seq, problem, detail));
    }

    private static string Line(long seq, string problem, string detail) =>
        string.Create(CultureInfo.InvariantCulture, $"seq {seq}: {problem} ({detail})");

    /// <summary>What the undecided tail shows now; reported, never kept.</summary>
    private sealed class TailFigures
    {
        public string? Key { get; set; }

        public long BadSigs { get; set; }

        public long BrokenLinks { get; set; }

        public long UnknownSigner { get; set; }

        public List<string> Problems { get; } = [];

        public void Break(long seq, string detail)
        {
            BrokenLinks++;
            Note(seq, VerifierProblems.BrokenLink, detail);
        }

        public void Note(long seq, string problem, string detail) => Problems.Add(Line(seq, problem, detail));
    }

    private Seldom S => seldom ??= new();

    /// <summary>For tests: whether the chain holds its side object of seldom things (<see cref="Seldom"/>).</summary>
    internal bool HoldsSeldom => seldom is not null;

    /// <summary>
    /// What most chains never have (a refused record, a fork, a bad signature, a checkpoint blocked on a record
    /// not come yet, the decided descendants of a loser, the log of decided links the ingest clears at every
    /// export): about 220 bytes a chain outside it (docs/benchmarks.md, issue 13). Read without making it
    /// (<c>seldom?.</c>); <see cref="LetGoSeldomIfEmpty"/> drops it when nothing in it is set any more.
    /// </summary>
    private sealed class Seldom
    {
        /// <summary>Nothing, for reading only (never written: <see cref="S"/> makes a chain's own).</summary>
        public static readonly Seldom None = new();

        /// <summary>The first seq in scope: 0, or with <see cref="VerifierOptions.FromMiddle"/> the seq after which the first valid checkpoint's links stopped.</summary>
        public long start;

        /// <summary>Where a walk of a chain not yet anchored (from the middle, no genesis held) started: its lowest held seq.</summary>
        public long walkFrom = long.MaxValue;

        public long forks, linkedUnverified, badSigs, brokenLinks, unknownSigner, rejected, beyondWindow, behindWindow, insideGap, problemsDropped, unsignedBranch, beforeStart;

        /// <summary>Where the lowest valid checkpoint's links stopped: the record needed next (seq, hash).</summary>
        public (long DecidedThrough, long Checkpoint, long Seq, Hash32 Need)? blocked;

        /// <summary>With <see cref="VerifierOptions.LogDecidedLinks"/>: every seq decided since <see cref="ClearDecided"/> (record hashes; gap ranges).</summary>
        public Dictionary<long, Hash32>? decidedRecords;
        public List<(long From, long To)>? decidedGaps;
        public HashSet<(long Seq, Hash32 Hash)>? insideGapArrivals;
        public List<string>? problems;

        /// <summary>Hashes of records decided not to be the gateway's (bounded, oldest forgotten): their descendants are not either.</summary>
        public HashSet<Hash32>? losers;
        public Queue<Hash32>? loserOrder;

        /// <summary>The link asked of the caller's store for a far gap statement, and what it gave (<see cref="TakeFarLink"/>).</summary>
        public long? wanted;
        public (long Seq, Hash32? Hash)? supplied;

        public bool Empty =>
            start == 0 && walkFrom == long.MaxValue && (forks | linkedUnverified | badSigs | brokenLinks | unknownSigner | rejected | beyondWindow | behindWindow | insideGap | problemsDropped | unsignedBranch | beforeStart) == 0
            && blocked is null && decidedRecords is null && decidedGaps is null && insideGapArrivals is null && problems is null && losers is null && loserOrder is null
            && wanted is null && supplied is null;
    }

    private void LetGoSeldomIfEmpty()
    {
        if (seldom?.Empty is true)
        {
            seldom = null;
        }
    }

    /// <summary>
    /// The pending gap statements by their first seq (one each), and those first seqs in order (whether a seq
    /// lies inside one). A trace crosses only the statements of records on its own path, and looks the others
    /// up only to know whether higher checkpoints are worth a try, so a stranger's thousands of gap records held
    /// far ahead cost a genuine record nothing (they made each one 22 times slower: docs/benchmarks.md,
    /// ChainTrackerAdversaryTests). One object, made when the chain first holds a statement: most chains never
    /// do (memory per tracked chain).
    /// </summary>
    private sealed class PendingGaps
    {
        public readonly Dictionary<long, (long Seq, GapStatement Gap)> ByFrom = [];
        public readonly SortedSet<long> Froms = [];

        /// <summary>
        /// Whether two held records state a gap from the same first seq (the same statement twice, or two that
        /// conflict): which one stands for it then depends on what else is held, so a decision rebuilds the
        /// indexes from the held records rather than only dropping what it decided (see Decide).
        /// </summary>
        public bool Ambiguous;

        /// <summary>Adds a statement from a first seq none has yet; false (nothing changed) when one has.</summary>
        public bool TryAdd(long seq, GapStatement gap)
        {
            if (!ByFrom.TryAdd(gap.From, (seq, gap)))
            {
                return false;
            }

            Froms.Add(gap.From);
            return true;
        }

        public void Remove(long from)
        {
            var (_, gap) = ByFrom[from];
            ByFrom.Remove(from);
            Froms.Remove(from);
        }
    }
}
