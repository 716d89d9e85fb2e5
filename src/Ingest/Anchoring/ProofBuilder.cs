namespace EdgeTwin.Ingest.Anchoring;

using System.Text;
using EdgeTwin.Anchoring;
using EdgeTwin.Ingest.Enrolment;
using EdgeTwin.Ingest.Options;
using EdgeTwin.Ingest.Storage;
using Microsoft.Extensions.Options;

/// <summary>
/// Builds the proof of one verified record (GET /api/proofs/...): the records from it to the first
/// checkpoint at or above it, that checkpoint's leaf, and, once anchored, the audit path and the
/// anchoring transaction. A record whose checkpoint is not anchored yet gets a proof that says so.
/// </summary>
internal sealed class ProofBuilder
{
    /// <summary>Most records between a record and its checkpoint a proof carries (a checkpoint follows at most 256 by default).</summary>
    public const int MaxRecords = 100_000;

    private readonly IIngestStore _records;
    private readonly IAnchorStore _anchors;
    private readonly IOptionsMonitor<IngestOptions> _options;

    private readonly GatewayEnrolment _enrolment;

    public ProofBuilder(IIngestStore store, IOptionsMonitor<IngestOptions> options, GatewayEnrolment enrolment)
    {
        _enrolment = enrolment;
        _records = store;
        _anchors = (IAnchorStore)store;
        _options = options;
    }

    public async Task<(ProofFile? Proof, int Status, string? Problem)> BuildAsync(ChainId chain, long seq, CancellationToken ct)
    {
        var o = _options.CurrentValue;
        if (!o.Anchor.Enabled)
        {
            return (null, 404, "anchoring is off on this ingest (Ingest:Anchor:Rpc)");
        }

        var row = (await _records.ChainsAsync(chain.Gw, ct).ConfigureAwait(false)).FirstOrDefault(c => c.Id == chain);
        if (row is null)
        {
            return (null, 404, $"no chain {chain}");
        }

        if (seq < 0 || seq > row.VerifiedThrough)
        {
            return (null, 409, $"seq {seq} of {chain} is not verified (verified through {row.VerifiedThrough})");
        }

        // The proof names the key the chain was verified with; a chain no one may sign for now is not vouched for.
        if (!row.TryDecodeState(out var state, out var unreadable))
        {
            return (null, 409, $"the stored verifier state of {chain} cannot be read ({unreadable}); no proof until it is repaired");
        }

        var enrolled = state?.Key;
        if (enrolled is null)
        {
            return (null, 409, $"{chain} has no verified genesis key");
        }

        if (_enrolment.RevokedReason(enrolled) is { } revoked)
        {
            return (null, 409, $"{chain} is signed by {enrolled}, which is revoked ({revoked})");
        }

        var records = await _anchors.ThroughCheckpointAsync(chain, seq, MaxRecords, ct).ConfigureAwait(false);
        if (records.Count == 0 || records[^1].Kind != Telemetry.Records.RecordKinds.Checkpoint || records[0].Seq != seq || records[^1].Seq - seq + 1 != records.Count)
        {
            return (null, 409, $"seq {seq} of {chain} has no stored, unbroken run of records to a checkpoint (a gap statement or a missing record lies between)");
        }

        var checkpoint = records[^1];
        var proof = new ProofFile
        {
            Gw = chain.Gw,
            Lane = chain.Lane,
            Epoch = chain.Epoch,
            Seq = seq,
            Enrolled = enrolled,
            Records = [.. records.Select(r => Encoding.UTF8.GetString(r.Payload))],
        };

        var leaf = await _anchors.LeafAsync(chain, checkpoint.Seq, ct).ConfigureAwait(false);
        if (leaf?.Position is not { } position)
        {
            return (proof with { LeafPosition = null }, 200, null);
        }

        var anchor = await _anchors.AnchorCoveringAsync(position, ct).ConfigureAwait(false);
        if (anchor is not { Anchored: true })
        {
            return (proof with { LeafPosition = position }, 200, null);
        }

        var hashes = await _anchors.LeafHashesAsync(anchor.FirstLeaf, anchor.TreeSize, ct).ConfigureAwait(false);
        var leaves = hashes.Select(MerkleTree.CheckpointLeaf).ToList();
        var root = Convert.ToHexStringLower(MerkleTree.Root(leaves));
        if (hashes.Count != anchor.TreeSize || root != anchor.Root)
        {
            return (null, 409, $"anchor {anchor.Index}: the leaf log no longer gives its root ({root}, {hashes.Count} leaves; anchored {anchor.Root}, {anchor.TreeSize})");
        }

        var index = position - anchor.FirstLeaf;
        var path = MerkleTree.AuditPath(leaves, (int)index).Select(Convert.ToHexStringLower).ToList();
        return (proof with
        {
            LeafPosition = position,
            Tree = new ProofTree(anchor.Index, anchor.FirstLeaf, anchor.TreeSize, index, path, anchor.Root),
            Anchor = new ProofAnchor(anchor.ChainId!.Value, anchor.Contract!, anchor.Tx!, anchor.Block!.Value),
        }, 200, null);
    }
}
