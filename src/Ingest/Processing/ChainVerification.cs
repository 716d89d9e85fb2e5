namespace EdgeTwin.Ingest.Processing;

using System.Text.Json;
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
    // The ingest re-checks older records against its store, so a short memory of links suffices
    // and keeps the persisted state small (about 80 bytes per remembered seq).
    public const int RecentWindow = 512;

    private readonly StreamVerifier _verifier;
    private readonly Dictionary<ChainId, string?> _exported = [];

    public ChainVerification(string enrolledAddress)
    {
        EnrolledAddress = enrolledAddress;
        _verifier = new StreamVerifier(new VerifierOptions { EnrolledAddresses = [enrolledAddress], RecentWindow = RecentWindow });
    }

    public string EnrolledAddress { get; }

    /// <summary>A further address whose genesis links as enrolled: the new key of a verified gateway key rotation.</summary>
    public void Enrol(string address) => _verifier.Enrol(address);

    public static ChainKey Key(ChainId id) => new(id.Gw, id.Lane == WireNames.Alarm ? Lane.Alarm : Lane.Telemetry, id.Epoch);

    public void Import(ChainRow row)
    {
        if (_exported.TryGetValue(row.Id, out var mine) && mine == row.VerifierState)
        {
            return;
        }

        if (row.VerifierState is { } json)
        {
            _verifier.ImportChain(JsonSerializer.Deserialize<ChainVerifierState>(json)
                ?? throw new InvalidDataException($"Stored verifier state of {row.Id} is empty."));
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

    /// <summary>The record (seq, hash) the chain's lowest valid checkpoint waits for, if any.</summary>
    public (long Seq, string Hash)? Needed(ChainId id) => _verifier.Needed(Key(id));

    /// <summary>The hash of the record the verifier linked into the chain at a seq it remembers (null: passed by a gap statement).</summary>
    public bool TryLinked(ChainId id, long seq, out string? hash) => _verifier.TryLinkedHash(Key(id), seq, out hash);

    public string? Export(ChainId id)
    {
        var key = Key(id);
        var state = _verifier.Holds(key) ? JsonSerializer.Serialize(_verifier.ExportChain(key)) : null;
        _exported[id] = state;
        return state;
    }
}
