namespace EdgeTwin.Telemetry.Verification;

using System.Globalization;
using System.Security.Cryptography;
using System.Text.Unicode;
using EdgeTwin.Telemetry.Wire;

/// <summary>
/// Incremental ETP/1 verifier (PROTOCOL §7-8): records in any order, repeats allowed, one call per
/// payload; memory bounded per chain by <see cref="VerifierOptions"/>. Signatures are recovered for
/// checkpoints only. Never throws on bad input: every rejection is a named problem. Not thread-safe.
/// </summary>
public sealed class StreamVerifier
{
    private readonly VerifierOptions options;
    private readonly EnrolledKeys? enrolled;
    private readonly ChainMap chains = new();
    private readonly RecordParser parser = new();
    private List<string>? unattributed;

    public StreamVerifier(VerifierOptions options)
        : this(options, options?.EnrolledAddresses)
    {
    }

    /// <summary>
    /// A verifier with its own enrolled addresses and options it may share with many others (their
    /// <see cref="VerifierOptions.EnrolledAddresses"/> is not read): the ingest keeps one per gateway.
    /// </summary>
    public StreamVerifier(VerifierOptions options, IReadOnlyCollection<string>? enrolledAddresses)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ReorderWindow < 1 || options.RecentWindow < 1 || options.MaxProblemsPerChain < 0
            || options.MaxAlternativesPerSeq < 1 || options.MaxHeldRecords < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "windows must be at least 1");
        }

        if (options.FromMiddle && enrolledAddresses is not { Count: > 0 })
        {
            throw new ArgumentException("verifying from the middle needs the enrolled addresses: without a genesis only they say whose checkpoints count", nameof(options));
        }

        this.options = options;
        if (enrolledAddresses is { } addresses)
        {
            enrolled = new EnrolledKeys(addresses);
        }
    }

    /// <summary>
    /// Enrols one more address from now on (a gateway key rotation the caller verified, docs/protocol.md
    /// §4): a genesis signed by it links as enrolled. Only for a verifier built with enrolled addresses.
    /// </summary>
    public void Enrol(string address)
    {
        if (enrolled is null)
        {
            throw new InvalidOperationException("this verifier accepts any genesis key; there is nothing to enrol");
        }

        if (!Wire.Syntax.IsAddress(address))
        {
            throw new ArgumentException("an address is 0x + 40 hex digits", nameof(address));
        }

        enrolled.Add(address);
    }

    /// <summary>Payloads that could not be attributed to any chain (malformed, no valid gw/lane/epoch).</summary>
    public long Unattributed { get; private set; }

    /// <summary>Named problems of unattributed payloads (the first <see cref="VerifierOptions.MaxProblemsPerChain"/>).</summary>
    public IReadOnlyList<string> UnattributedProblems => unattributed ?? [];

    public RecordOutcome Add(ReadOnlySpan<byte> payload)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(payload, digest);
        var hash = Hash32.FromBytes(digest);
        var hashHex = Convert.ToHexStringLower(digest);

        var record = new ParsedRecord();
        var problem = payload.Length > Limits.MaxRecordBytes ? VerifierProblems.TooLarge
            : !Utf8.IsValid(payload) ? VerifierProblems.InvalidUtf8
            : parser.Parse(payload, record);
        var chain = record.Chain;
        if (chain is { } candidate && !chains.ContainsKey(candidate) && chains.Count >= options.MaxChains)
        {
            (problem, chain) = (VerifierProblems.TooManyChains, null);
        }

        if (problem is not null)
        {
            if (chain is { } key)
            {
                Tracker(key).Reject(record.Seq, problem);
            }
            else
            {
                Unattributed++;
                if ((unattributed ??= []).Count < options.MaxProblemsPerChain)
                {
                    unattributed.Add(string.Create(CultureInfo.InvariantCulture, $"record {hashHex[..16]}: {problem}"));
                }
            }

            return new RecordOutcome(chain, record.Seq, hashHex, RecordStatus.Rejected, problem);
        }

        var status = Tracker(chain!.Value).Add(record, hash, out problem);
        return new RecordOutcome(chain, record.Seq, hashHex, status, problem);
    }

    /// <summary>One report per chain seen, ordered by gw, lane, epoch.</summary>
    public IReadOnlyList<ChainReport> Report() =>
        [.. chains.OrderBy(c => c.Key.Gw, StringComparer.Ordinal).ThenBy(c => c.Key.Lane).ThenBy(c => c.Key.Epoch, StringComparer.Ordinal).Select(c => c.Value.Report())];

    /// <summary>The report of one chain (as in <see cref="Report"/>), or null for a chain not held; only that chain is walked.</summary>
    public ChainReport? ReportOf(ChainKey key) => chains.TryGetValue(key, out var tracker) ? tracker.Report() : null;

    /// <summary>Whether the verifier holds state for a chain.</summary>
    public bool Holds(ChainKey key) => chains.ContainsKey(key);

    /// <summary>
    /// The hash of the record linked at a decided seq the chain still remembers (null hash: passed by a gap
    /// statement); false when the seq is not decided, or older than <see cref="VerifierOptions.RecentWindow"/> and
    /// not in the log of decided seqs (<see cref="VerifierOptions.LogDecidedLinks"/>).
    /// </summary>
    public bool TryLinkedHash(ChainKey key, long seq, out string? hash)
    {
        hash = null;
        if (!chains.TryGetValue(key, out var tracker) || !tracker.TryLinked(seq, out var h))
        {
            return false;
        }

        hash = h?.ToString();
        return true;
    }

    /// <summary>
    /// A record this verifier refused as <c>behind-window</c> that the caller's store showed to be a repeat
    /// of the record decided at its seq: counted as a duplicate of the chain instead, as a repeat it
    /// remembers is.
    /// </summary>
    public void CountBehindAsDuplicate(ChainKey key)
    {
        if (chains.TryGetValue(key, out var tracker))
        {
            tracker.CountBehindAsDuplicate();
        }
    }

    /// <summary>Forgets a chain's log of decided seqs (<see cref="VerifierOptions.LogDecidedLinks"/>).</summary>
    public void ClearDecided(ChainKey key)
    {
        if (chains.TryGetValue(key, out var tracker))
        {
            tracker.ClearDecided();
        }
    }

    /// <summary>
    /// Puts a chain's remembered links at rest in the caller's store, which holds the linked record at every
    /// decided seq through <paramref name="storedThrough"/> (<see cref="VerifierOptions.LinksAtRestInCallerStore"/>);
    /// false when they stay in memory (see <see cref="ChainTracker.Rest"/>).
    /// </summary>
    public bool Rest(ChainKey key, long storedThrough) => chains.TryGetValue(key, out var tracker) && tracker.Rest(storedThrough);

    /// <summary>
    /// The caller's note of a chain's state it exported (<see cref="ExportChainEncoded"/>), kept with the chain
    /// and gone with it (an import replaces it): the ingest keeps the state's digest there, to tell whether the
    /// stored state is still its own. False when the chain is not held.
    /// </summary>
    public bool NoteExported(ChainKey key, ReadOnlySpan<byte> sha256)
    {
        if (!chains.TryGetValue(key, out var tracker))
        {
            return false;
        }

        tracker.ExportedDigest = sha256.Length == 32 ? Hash32.FromBytes(sha256) : sha256.IsEmpty ? Hash32.Zero
            : throw new ArgumentException("a SHA-256 digest is 32 bytes (none: empty)", nameof(sha256));
        return true;
    }

    /// <summary>What <see cref="NoteExported"/> kept for the chain (32 bytes); null when nothing, or the chain is not held.</summary>
    public byte[]? ExportedDigest(ChainKey key) => chains.TryGetValue(key, out var tracker) && tracker.ExportedDigest != Hash32.Zero ? tracker.ExportedDigest.ToBytes() : null;

    /// <summary>The seqs of a chain whose links are at rest, for the caller to read from its store; null when none is.</summary>
    public (long From, long To)? LinksAtRest(ChainKey key) => chains.TryGetValue(key, out var tracker) ? tracker.LinksAtRest : null;

    /// <summary>
    /// Restores a chain's links at rest from what the caller's store holds at their seqs (seq to record hash,
    /// 64 lowercase hex digits). A seq with no record any more, or a decided head that is not the stored
    /// record, forgets them instead: records there are then <c>behind-window</c>, for the caller's store to decide.
    /// </summary>
    public void RestoreLinks(ChainKey key, IReadOnlyDictionary<long, string> stored)
    {
        if (!chains.TryGetValue(key, out var tracker))
        {
            return;
        }

        var hashes = new Dictionary<long, Hash32>(stored.Count);
        foreach (var (seq, hex) in stored)
        {
            if (Hash32.TryParse(hex, out var h))
            {
                hashes[seq] = h;
            }
        }

        tracker.RestoreLinks(hashes);
    }

    /// <summary>
    /// The hash of the record a chain's lowest valid checkpoint waits for (its links reach no further down
    /// without it), or null. A caller that refused or set aside a record with this hash (for example one
    /// refused as <c>too-many-alternatives</c>) adds it again: it is then always held.
    /// </summary>
    public (long Seq, string Hash)? Needed(ChainKey key) =>
        chains.TryGetValue(key, out var tracker) && tracker.Needed() is { } n ? (n.Seq, n.Hash.ToString()) : null;

    /// <summary>The address a chain's genesis names, once its genesis is linked; null before or for a chain not held.</summary>
    public string? KeyOf(ChainKey key) => chains.TryGetValue(key, out var tracker) ? tracker.GenesisKey : null;

    /// <summary>The highest seq of a chain decided so far (linked under a valid checkpoint, or passed by a gap statement); -1 before any, or for a chain it holds nothing of.</summary>
    public long LinkedThrough(ChainKey key) => chains.TryGetValue(key, out var tracker) ? tracker.LinkedThrough : -1;

    /// <summary>
    /// Whether the checkpoint (<paramref name="seq"/>, <paramref name="hash"/>) a caller just added was signed by the
    /// gateway (the chain's key, or before it is known an enrolled one), not a stranger's own held beside the chain.
    /// </summary>
    public bool IsGatewaysCheckpoint(ChainKey key, long seq, string hash) =>
        chains.TryGetValue(key, out var tracker) && Hash32.TryParse(hash, out var h) && tracker.SignedCheckpoint(seq, h);

    public ChainVerifierState ExportChain(ChainKey key) =>
        chains.TryGetValue(key, out var tracker) ? tracker.Export() : throw new KeyNotFoundException($"no chain {key}");

    /// <summary>
    /// <see cref="ChainStateCodec.Encode(ChainVerifierState)"/> of <see cref="ExportChain"/>: the same bytes,
    /// without a hex string made and parsed back for every held and remembered hash (the ingest stores a
    /// chain's state with every batch that advances it).
    /// </summary>
    public byte[] ExportChainEncoded(ChainKey key) =>
        chains.TryGetValue(key, out var tracker) ? tracker.ExportEncoded() : throw new KeyNotFoundException($"no chain {key}");

    /// <summary>Restores a chain exported earlier, replacing any state for it.</summary>
    public void ImportChain(ChainVerifierState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        chains[state.Chain] = ChainTracker.Import(state, options, enrolled);
    }

    /// <summary>
    /// Restores a chain from its stored bytes (<see cref="ChainStateCodec"/>), replacing any state for it: the
    /// compact form read straight into hashes, the same as <see cref="ImportChain(ChainVerifierState)"/> of
    /// <see cref="ChainStateCodec.Decode"/> (which the JSON of ingests before 2026-12 still takes). Bytes that do
    /// not decode: <see cref="InvalidDataException"/>; a malformed head or held record: <see cref="ArgumentException"/>.
    /// </summary>
    public void ImportChainEncoded(ReadOnlySpan<byte> stored)
    {
        if (!ChainStateCodec.IsCompact(stored))
        {
            ImportChain(ChainStateCodec.Decode(stored));
            return;
        }

        var state = ChainStateCodec.DecodeCompact(stored);
        chains[state.Head.Chain] = ChainTracker.Import(state, options, enrolled);
    }

    /// <summary>For tests: the chain's tracker, if one is held.</summary>
    internal ChainTracker? TrackerOf(ChainKey key) => chains.GetValueOrDefault(key);

    private ChainTracker Tracker(ChainKey key)
    {
        if (!chains.TryGetValue(key, out var tracker))
        {
            tracker = new ChainTracker(key, options, enrolled);
            chains[key] = tracker;
        }

        return tracker;
    }
}
