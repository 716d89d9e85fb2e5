namespace EdgeTwin.Telemetry.Verification;

/// <summary>
/// A received record no valid checkpoint covers yet (a candidate), held until one decides. What only
/// genesis, checkpoint and gap records or a contested seq carry sits in a side object made only for
/// them, so a plain record is its two hashes and its kind (96 bytes instead of 128). Plain records
/// that follow each other in order, almost all an ingest holds, are kept packed by
/// <see cref="HeldTable"/> instead, which hands out a new one per look-up (docs/benchmarks.md).
/// </summary>
internal sealed class HeldRecord
{
    private Rare? _rare;

    public required Hash32 Hash { get; init; }

    public required Hash32 Prev { get; init; }

    public required string Kind { get; init; }

    public string? GenesisKey { get => _rare?.GenesisKey; init => Set(value, static (r, v) => r.GenesisKey = v); }

    /// <summary>Checkpoints: the recovered signer, or why recovery failed.</summary>
    public string? Signer { get => _rare?.Signer; init => Set(value, static (r, v) => r.Signer = v); }

    public string? SigProblem { get => _rare?.SigProblem; init => Set(value, static (r, v) => r.SigProblem = v); }

    public GapStatement? Gap { get => _rare?.Gap; init => Set(value, static (r, v) => r.Gap = v); }

    /// <summary>Other records seen at the same seq, held side by side until a valid checkpoint decides.</summary>
    public List<HeldRecord>? Variants { get => _rare?.Variants; set => Set(value, static (r, v) => r.Variants = v); }

    /// <summary>This record and its variants.</summary>
    public IEnumerable<HeldRecord> All => Variants is null ? [this] : Variants.Prepend(this);

    public HeldRecord? Find(Hash32 hash) => Hash == hash ? this : Variants?.Find(v => v.Hash == hash);

    private void Set<T>(T? value, Action<Rare, T?> assign)
        where T : class
    {
        if (value is not null || _rare is not null)
        {
            assign(_rare ??= new Rare(), value);
        }
    }

    private sealed class Rare
    {
        public string? GenesisKey { get; set; }

        public string? Signer { get; set; }

        public string? SigProblem { get; set; }

        public GapStatement? Gap { get; set; }

        public List<HeldRecord>? Variants { get; set; }
    }
}
