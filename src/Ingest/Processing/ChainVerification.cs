namespace EdgeTwin.Ingest.Processing;

using System.Security.Cryptography;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Verification;
using EdgeTwin.Telemetry.Wire;

/// <summary>
/// The Telemetry <see cref="StreamVerifier"/> of one gateway. Chain states come from their locked
/// rows; a state this instance exported itself and that is still the stored one is not imported
/// again (cheaper, and import does not restore everything: see docs/ingest.md). Only a genesis key
/// equal to the gateway's enrolled address (Ingest:Enrolled:&lt;gw&gt;) can verify.
/// </summary>
internal sealed class ChainVerification
{
    // The ingest re-checks older records against its store (behind-window: one look-up), and confirms
    // each decision against the log of decided links (LogDecidedLinks, cleared at every export), so a
    // short memory of links suffices. Between batches even those are at rest in the store (each is the
    // hash of the record stored and verified at its seq; LinksAtRestInCallerStore): neither the memory
    // nor the stored state keeps them, and a record that needs them has them read back (GatewayBatch).
    public const int RecentWindow = 64;

    // One for every gateway's verifier (the enrolled address is each verifier's own).
    private static readonly VerifierOptions Options = new() { RecentWindow = RecentWindow, LogDecidedLinks = true, LinksAtRestInCallerStore = true };

    // The SHA-256 of the state this instance last exported of a chain is kept with the chain's tracker
    // (StreamVerifier.NoteExported), not in a dictionary of this instance's own: about 300 bytes a gateway.
    private readonly StreamVerifier _verifier;
    private Dictionary<ChainId, (long Seq, string Hash)>? _stalled;

    public ChainVerification(string enrolledAddress)
    {
        EnrolledAddress = enrolledAddress;
        _verifier = new StreamVerifier(Options, [enrolledAddress]);
    }

    public string EnrolledAddress { get; }

    /// <summary>A further address whose genesis links as enrolled: the new key of a verified gateway key rotation.</summary>
    public void Enrol(string address) => _verifier.Enrol(address);

    public static ChainKey Key(ChainId id) => new(id.Gw, id.Lane == WireNames.Alarm ? Lane.Alarm : Lane.Telemetry, id.Epoch);

    /// <summary>SHA-256 of the state this instance last exported for a chain, if it exported one: the store may leave that state out of the row it locks.</summary>
    public byte[]? HeldDigest(ChainId id) => _verifier.ExportedDigest(Key(id));

    /// <summary>
    /// Takes the chain's stored state, unless this instance exported it and it is still the stored one.
    /// Null when taken; else why the stored state cannot be read (corrupt bytes, a malformed head or held
    /// record), and nothing of the chain may be verified until it is repaired: the caller refuses its records.
    /// </summary>
    public string? Import(ChainRow row)
    {
        // Not held (nothing exported, or nothing to export): whatever is stored is taken, if anything is.
        if (HeldDigest(row.Id) is { } mine && (row.StoredDigest is not null ? mine.AsSpan().SequenceEqual(row.StoredDigest)
            : row.VerifierState is not null && mine.AsSpan().SequenceEqual(SHA256.HashData(row.VerifierState))))
        {
            return null;
        }

        if (row.StoredState() is not { } stored)
        {
            return null;
        }

        try
        {
            // Read straight into the verifier's hashes (a hex string of each, parsed back, took about 40 % of an import's time: docs/benchmarks.md, thirteenth pass).
            _verifier.ImportChainEncoded(stored);
            return null;
        }
        catch (Exception ex) when (ex is InvalidDataException or ArgumentException)
        {
            // Not decodable (InvalidDataException), or decoded with a malformed head or held record.
            _verifier.NoteExported(Key(row.Id), []);
            return ex.Message;
        }
    }

    public VerifyOutcome Add(byte[] payload)
    {
        var o = _verifier.Add(payload);
        var status = o.Status switch
        {
            RecordStatus.New => VerificationStatus.New,
            RecordStatus.Duplicate => VerificationStatus.Duplicate,
            RecordStatus.Fork => VerificationStatus.Fork,
            RecordStatus.Alternative => VerificationStatus.Alternative,
            _ => VerificationStatus.Rejected,
        };
        return new VerifyOutcome(status, o.Hash ?? string.Empty, o.Problem);
    }

    public ChainFigures Figures(ChainId id)
    {
        var key = Key(id);
        var r = _verifier.ReportOf(key);
        return r is null
            ? new ChainFigures(0, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, false)
            : new ChainFigures(r.Received, r.VerifiedThrough, r.Verified, r.Pending, r.Missing, r.Duplicates, r.Forks, r.BadSigs, r.BrokenLinks, r.GapCovered, r.UnknownSigner, r.UnknownSigner > 0, r.UnsignedBranch);
    }

    /// <summary>The chain's genesis key once its genesis is linked; null before (or for a chain it holds nothing of).</summary>
    public string? KeyOf(ChainId id) => _verifier.KeyOf(Key(id));

    /// <summary>The highest seq of the chain the verifier decided (-1: none).</summary>
    public long LinkedThrough(ChainId id) => _verifier.LinkedThrough(Key(id));

    /// <summary>Whether the checkpoint just added at (<paramref name="seq"/>, <paramref name="hash"/>) is the gateway's, not a stranger's own.</summary>
    public bool IsGatewaysCheckpoint(ChainId id, long seq, string hash) => _verifier.IsGatewaysCheckpoint(Key(id), seq, hash);

    /// <summary>The record (seq, hash) the chain's lowest valid checkpoint waits for, if any.</summary>
    public (long Seq, string Hash)? Needed(ChainId id) => _verifier.Needed(Key(id));

    /// <summary>The hash of the record the verifier linked into the chain at a seq it remembers (null: passed by a gap statement).</summary>
    public bool TryLinked(ChainId id, long seq, out string? hash) => _verifier.TryLinkedHash(Key(id), seq, out hash);

    /// <summary>
    /// The seq where a chain's confirmation against the store stopped (the record linked there is not
    /// stored, nor whole in the evidence) and the hash linked there: a decision never changes, so this
    /// stays true for the chain and saves finding it again from the stored links once the verifier no
    /// longer remembers it. Kept for this worker's life of the verifier only.
    /// </summary>
    public void NoteStalled(ChainId id, long seq, string hash) => (_stalled ??= [])[id] = (seq, hash);

    /// <summary>The hash linked at <paramref name="seq"/> if it is where the chain's confirmation stopped (<see cref="NoteStalled"/>).</summary>
    public string? StalledAt(ChainId id, long seq) =>
        _stalled is not null && _stalled.TryGetValue(id, out var s) && s.Seq == seq ? s.Hash : null;

    /// <summary>A record refused as behind-window that the store showed to be a repeat: one of the chain's duplicates.</summary>
    public void CountBehindAsDuplicate(ChainId id) => _verifier.CountBehindAsDuplicate(Key(id));

    /// <summary>The seqs whose remembered links are at rest in the store (<see cref="Export"/>), when a record needs them; null when none is.</summary>
    public (long From, long To)? LinksAtRest(ChainId id) => _verifier.LinksAtRest(Key(id));

    /// <summary>The links at rest, from the records the store holds at their seqs (seq to hash).</summary>
    public void RestoreLinks(ChainId id, IReadOnlyDictionary<long, string> stored) => _verifier.RestoreLinks(Key(id), stored);

    /// <summary>
    /// The chain's state to store; the decisions made so far have been confirmed against the store, their
    /// log is cleared. <paramref name="storedThrough"/>: the chain's verified seq, through which the store holds
    /// the linked record at every decided seq: the links up to it are put at rest in the store where the
    /// verifier allows (out of memory and out of the state, about 2 KB a chain; docs/ingest.md, "Memory per chain").
    /// </summary>
    public byte[]? Export(ChainId id, long storedThrough)
    {
        var key = Key(id);
        _verifier.ClearDecided(key);
        _verifier.Rest(key, storedThrough);

        var state = _verifier.Holds(key) ? _verifier.ExportChainEncoded(key) : null;
        if (state is not null)
        {
            _verifier.NoteExported(key, SHA256.HashData(state));
        }
        return state;
    }
}
