namespace EdgeTwin.Ingest.Options;

using System.ComponentModel.DataAnnotations;

/// <summary>
/// <c>Ingest:Anchor</c> (docs/anchoring.md): where the roots of the verified checkpoints are anchored.
/// With no <see cref="Rpc"/> anchoring is off and nothing changes.
/// </summary>
public sealed class AnchorOptions
{
    /// <summary>JSON-RPC endpoint of an EVM chain, e.g. <c>http://127.0.0.1:8545</c>; empty: anchoring off.</summary>
    public string? Rpc { get; set; }

    /// <summary>The chain id the transactions are signed for (EIP-155); the RPC must serve the same.</summary>
    public long ChainId { get; set; }

    /// <summary>Address of the deployed <c>EdgeTwinAnchor</c> contract (<c>edgetwin anchor-deploy</c>).</summary>
    public string? Contract { get; set; }

    /// <summary>The anchoring key (the contract's only anchorer); empty: <c>anchor.key</c> beside the ingest key.</summary>
    public string? KeyFile { get; set; }

    /// <summary>How often a new anchor is made of the checkpoints verified since the last one.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "7.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Most checkpoints in one anchor; more wait for the next.</summary>
    [Range(1, 10_000_000)]
    public int MaxLeaves { get; set; } = 1_000_000;

    /// <summary>Deadline of one ledger call (a transaction: until it is mined).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How many of the latest anchors each round checks again against the store and the ledger.</summary>
    [Range(1, 10_000)]
    public int AuditDepth { get; set; } = 3;

    public bool Enabled => !string.IsNullOrWhiteSpace(Rpc);
}
