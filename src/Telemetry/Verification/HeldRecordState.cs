namespace EdgeTwin.Telemetry.Verification;

/// <summary>
/// A record held in the reorder window (received, not yet linked), as exported for persistence.
/// <see cref="Signer"/>/<see cref="SigProblem"/>: checkpoint signature already recovered on arrival.
/// </summary>
public sealed record HeldRecordState(
    long Seq,
    string Hash,
    string Prev,
    string Kind,
    string? GenesisKey,
    string? Signer,
    string? SigProblem,
    GapStatement? Gap);
