namespace EdgeTwin.Anchoring;

using System.Security.Cryptography;
using System.Text;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Signing;
using EdgeTwin.Telemetry.Verification;
using EdgeTwin.Telemetry.Wire;

/// <summary>
/// Checks a <see cref="ProofFile"/> step by step (docs/anchoring.md): the records, their hash links to
/// the checkpoint, the checkpoint's signature against the enrolled address, the Merkle path to the
/// root, and (with a ledger) the anchoring event on the chain. Each step says what it checked; the
/// first that fails ends the check.
/// </summary>
public static class ProofVerifier
{
    public static async Task<ProofReport> VerifyAsync(ProofFile proof, string? expectedSigner, IAnchorLedger? ledger, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(proof);
        var steps = new List<ProofStep>();
        var offline = CheckOffline(proof, expectedSigner, steps);
        if (!offline)
        {
            return new ProofReport(steps, ProofVerdict.Invalid);
        }

        if (proof.Tree is null || proof.Anchor is null)
        {
            steps.Add(new ProofStep("anchor", false, "not anchored yet: the checkpoint waits for the next anchoring interval"));
            return new ProofReport(steps, ProofVerdict.NotAnchoredYet);
        }

        if (ledger is null)
        {
            steps.Add(new ProofStep("ledger", true, $"not consulted (no --rpc): anchor {proof.Tree.AnchorIndex} claimed in transaction {proof.Anchor.Tx} of chain {proof.Anchor.ChainId}"));
            return new ProofReport(steps, ProofVerdict.ValidOffline);
        }

        var problem = await ledger.CheckAsync(proof.Anchor, proof.Tree, ct).ConfigureAwait(false);
        steps.Add(problem is null
            ? new ProofStep("ledger", true, $"chain {proof.Anchor.ChainId}, contract {proof.Anchor.Contract}: transaction {proof.Anchor.Tx} in block {proof.Anchor.Block} emitted Anchored({proof.Tree.AnchorIndex}, {proof.Tree.Root}, {proof.Tree.FirstLeaf}, {proof.Tree.TreeSize}) and the contract holds it")
            : new ProofStep("ledger", false, problem));
        return new ProofReport(steps, problem is null ? ProofVerdict.Valid : ProofVerdict.Invalid);
    }

    private static bool CheckOffline(ProofFile proof, string? expectedSigner, List<ProofStep> steps)
    {
        if (!Eip191.IsAddress(proof.Enrolled))
        {
            return Fail(steps, "enrolled", $"'{proof.Enrolled}' is not an address");
        }

        if (expectedSigner is not null && !string.Equals(expectedSigner, proof.Enrolled, StringComparison.OrdinalIgnoreCase))
        {
            return Fail(steps, "enrolled", $"the proof names signer {proof.Enrolled}, not the expected {expectedSigner}");
        }

        if (proof.Records is not { Count: > 0 })
        {
            return Fail(steps, "records", "no records");
        }

        var parser = new RecordParser();
        string? previousHash = null;
        ParsedRecord? last = null;
        for (var i = 0; i < proof.Records.Count; i++)
        {
            var payload = Encoding.UTF8.GetBytes(proof.Records[i]);
            var record = new ParsedRecord();
            if (parser.Parse(payload, record) is { } problem)
            {
                return Fail(steps, "records", $"record {i}: {problem}");
            }

            var expectedSeq = proof.Seq + i;
            if (record.Gw != proof.Gw || record.Lane is not { } lane || WireNames.Of(lane) != proof.Lane || record.Epoch != proof.Epoch || record.Seq != expectedSeq)
            {
                return Fail(steps, "records", $"record {i} is {record.Gw}/{(record.Lane is { } l ? WireNames.Of(l) : "?")}/{record.Epoch} seq {record.Seq}, not {proof.Gw}/{proof.Lane}/{proof.Epoch} seq {expectedSeq}");
            }

            if (previousHash is not null && record.Prev.ToString() != previousHash)
            {
                return Fail(steps, "links", $"seq {record.Seq}: prev {record.Prev} is not the hash {previousHash} of seq {record.Seq - 1}");
            }

            if (i < proof.Records.Count - 1 && record.Kind == RecordKinds.Checkpoint)
            {
                return Fail(steps, "links", $"seq {record.Seq} is a checkpoint before the last record: the proof must end at the first checkpoint that covers the record");
            }

            previousHash = Convert.ToHexStringLower(SHA256.HashData(payload));
            last = record;
        }

        steps.Add(new ProofStep("links", true, proof.Records.Count == 1
            ? $"seq {proof.Seq} is itself the checkpoint"
            : $"seq {proof.Seq} .. {last!.Seq} link by hash"));
        if (last!.Kind != RecordKinds.Checkpoint || last.Seq < 1)
        {
            return Fail(steps, "checkpoint", $"the last record (seq {last.Seq}) is a {last.Kind}, not a checkpoint");
        }

        var digest = CheckpointDigest.Compute(proof.Gw, proof.Lane, proof.Epoch, last.Seq - 1, last.Prev.ToString());
        if (!Eip191.TryRecover(digest, last.Sig!, out var signer, out var sigProblem))
        {
            return Fail(steps, "checkpoint", $"seq {last.Seq}: {sigProblem}");
        }

        if (!string.Equals(signer, proof.Enrolled, StringComparison.OrdinalIgnoreCase))
        {
            return Fail(steps, "checkpoint", $"seq {last.Seq} is signed by {signer}, not by the enrolled {proof.Enrolled}");
        }

        steps.Add(new ProofStep("checkpoint", true, $"seq {last.Seq} covers seq 0 .. {last.Seq - 1} and is signed by the enrolled {proof.Enrolled}"));
        if (proof.Tree is null)
        {
            return true;
        }

        var tree = proof.Tree;
        if (!TryHash(tree.Root, out var root) || tree.Path.Any(p => !TryHash(p, out _)))
        {
            return Fail(steps, "merkle", "the root or a path entry is not 64 hex digits");
        }

        if (proof.LeafPosition is not { } position || tree.LeafIndex != position - tree.FirstLeaf)
        {
            return Fail(steps, "merkle", $"leaf position {proof.LeafPosition} is not index {tree.LeafIndex} of the tree starting at leaf {tree.FirstLeaf}");
        }

        var leaf = MerkleTree.CheckpointLeaf(previousHash!);
        var path = tree.Path.Select(Convert.FromHexString).ToList();
        if (!MerkleTree.VerifyInclusion(leaf, tree.LeafIndex, tree.TreeSize, path, root))
        {
            return Fail(steps, "merkle", $"the audit path does not lead from leaf {tree.LeafIndex} (checkpoint hash {previousHash}) to root {tree.Root} in a tree of {tree.TreeSize}");
        }

        steps.Add(new ProofStep("merkle", true, $"checkpoint {previousHash} is leaf {tree.LeafIndex} of {tree.TreeSize} under root {tree.Root}"));
        return true;
    }

    private static bool TryHash(string? hex, out byte[] bytes)
    {
        bytes = [];
        if (hex is not { Length: 64 } || !hex.All(char.IsAsciiHexDigitLower))
        {
            return false;
        }

        bytes = Convert.FromHexString(hex);
        return true;
    }

    private static bool Fail(List<ProofStep> steps, string step, string problem)
    {
        steps.Add(new ProofStep(step, false, problem));
        return false;
    }
}

/// <summary>How a proof came out: valid on the ledger, valid as far as checked without a ledger, not anchored yet, or invalid.</summary>
public enum ProofVerdict
{
    Valid,
    ValidOffline,
    NotAnchoredYet,
    Invalid,
}

/// <summary>One step of the check and what it found.</summary>
public sealed record ProofStep(string Step, bool Ok, string Detail);

public sealed record ProofReport(IReadOnlyList<ProofStep> Steps, ProofVerdict Verdict);

/// <summary>Where anchors are checked: the contract on an EVM chain (<see cref="EvmAnchorLedger"/>).</summary>
public interface IAnchorLedger
{
    /// <summary>Null when the ledger holds exactly this anchor for this tree; else what differs.</summary>
    Task<string?> CheckAsync(ProofAnchor anchor, ProofTree tree, CancellationToken ct);
}
