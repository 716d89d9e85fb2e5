namespace EdgeTwin.Telemetry.Verification;

using EdgeTwin.Telemetry.Records;

/// <summary>The members of a record that verification needs; the rest of the payload is only hashed.</summary>
internal sealed class ParsedRecord
{
    public string? Gw { get; set; }

    public Lane? Lane { get; set; }

    public string? Epoch { get; set; }

    public long Seq { get; set; } = -1;

    public Hash32 Prev { get; set; }

    public string Kind { get; set; } = string.Empty;

    public string? GenesisKey { get; set; }

    public string? Sig { get; set; }

    public GapStatement? Gap { get; set; }

    public ChainKey? Chain => Gw is not null && Lane is { } lane && Epoch is not null ? new ChainKey(Gw, lane, Epoch) : null;
}
