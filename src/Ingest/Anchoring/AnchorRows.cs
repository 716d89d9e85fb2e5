namespace EdgeTwin.Ingest.Anchoring;

using EdgeTwin.Ingest.Storage;

/// <summary>
/// One anchor as the ingest keeps it: prepared (root of leaves <see cref="FirstLeaf"/> ..
/// <see cref="FirstLeaf"/> + <see cref="TreeSize"/> - 1 fixed, no transaction yet) or anchored
/// (<see cref="Tx"/> and <see cref="Block"/> set once the ledger holds it).
/// </summary>
internal sealed record AnchorRow(long Index, string Root, long FirstLeaf, long TreeSize, string PreviousRoot, DateTimeOffset PreparedAt)
{
    /// <summary>The previous root of the first anchor (the contract's zero bytes32).</summary>
    public static string NoPreviousRoot { get; } = new('0', 64);

    public long? ChainId { get; init; }

    public string? Contract { get; init; }

    public string? Tx { get; init; }

    public long? Block { get; init; }

    public DateTimeOffset? AnchoredAt { get; init; }

    public bool Anchored => Tx is not null;
}

/// <summary>A verified checkpoint in the leaf log; <see cref="Position"/> is set when an anchor takes it.</summary>
internal sealed record AnchorLeafRow(ChainId Chain, long Seq, string Hash, long? Position);

/// <summary>A leaf as the audit sees it: the hash the leaf log holds and the stored record's bytes, if any.</summary>
internal sealed record AuditLeaf(long Position, ChainId Chain, long Seq, string LeafHash, byte[]? Payload);
