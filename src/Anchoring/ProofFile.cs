namespace EdgeTwin.Anchoring;

using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

/// <summary>
/// A proof a patient can carry (docs/anchoring.md): one verified record, the records that link it
/// by hash to the checkpoint that covers it, that checkpoint's place in an anchored Merkle tree, and
/// the transaction that put the tree's root on the ledger. Records are the exact payload text as
/// the gateway published it (its hash is the SHA-256 of that text's UTF-8 bytes).
/// </summary>
public sealed record ProofFile
{
    public const string FormatName = "edgetwin-proof/1";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    public string Format { get; init; } = FormatName;

    public required string Gw { get; init; }

    public required string Lane { get; init; }

    public required string Epoch { get; init; }

    public required long Seq { get; init; }

    /// <summary>The signer address the ingest has enrolled for <see cref="Gw"/>.</summary>
    public required string Enrolled { get; init; }

    /// <summary>The record at <see cref="Seq"/>, each following one, ending with the covering checkpoint (alone when the record is a checkpoint).</summary>
    public required IReadOnlyList<string> Records { get; init; }

    /// <summary>Where the checkpoint sits in the ingest's leaf log (0-based, in verification order).</summary>
    public long? LeafPosition { get; init; }

    /// <summary>The anchored tree, or null while the checkpoint waits for its anchor.</summary>
    public ProofTree? Tree { get; init; }

    /// <summary>The transaction that anchored <see cref="Tree"/>; null while it is not anchored yet.</summary>
    public ProofAnchor? Anchor { get; init; }

    /// <summary>The patient's FHIR observations (written by <c>edgetwin prove</c>; not part of what is proven).</summary>
    public JsonNode? Observations { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ProofFile Parse(string json)
    {
        ProofFile? proof;
        try
        {
            proof = JsonSerializer.Deserialize<ProofFile>(json, Json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"not a proof file: {e.Message}", e);
        }

        if (proof is null || proof.Format != FormatName)
        {
            throw new FormatException($"not a proof file: format is not '{FormatName}'");
        }

        return proof;
    }
}

/// <summary>The checkpoint's leaf in the tree of one anchor: its index there, the tree's size, the audit path and the root.</summary>
public sealed record ProofTree(long AnchorIndex, long FirstLeaf, long TreeSize, long LeafIndex, IReadOnlyList<string> Path, string Root);

/// <summary>The anchoring transaction: the chain, the contract, the transaction and the block that holds it.</summary>
public sealed record ProofAnchor(long ChainId, string Contract, string Tx, long Block);
