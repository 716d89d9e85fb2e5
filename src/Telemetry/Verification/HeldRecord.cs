namespace EdgeTwin.Telemetry.Verification;

/// <summary>A received record waiting in the reorder window until its predecessor is linked.</summary>
internal sealed class HeldRecord
{
    public required Hash32 Hash { get; init; }

    public required Hash32 Prev { get; init; }

    public required string Kind { get; init; }

    public string? GenesisKey { get; init; }

    /// <summary>Checkpoints: the recovered signer, or why recovery failed.</summary>
    public string? Signer { get; init; }

    public string? SigProblem { get; init; }

    public GapStatement? Gap { get; init; }

    /// <summary>Other records seen at the same seq (a fork), kept so the one that links can win.</summary>
    public List<HeldRecord>? Variants { get; set; }
}
