namespace EdgeTwin.Telemetry.Verification;

/// <summary>A received record no valid checkpoint covers yet (a candidate), held until one decides.</summary>
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

    /// <summary>Other records seen at the same seq, held side by side until a valid checkpoint decides.</summary>
    public List<HeldRecord>? Variants { get; set; }

    /// <summary>This record and its variants.</summary>
    public IEnumerable<HeldRecord> All => Variants is null ? [this] : Variants.Prepend(this);

    public HeldRecord? Find(Hash32 hash) => Hash == hash ? this : Variants?.Find(v => v.Hash == hash);
}
