namespace EdgeTwin.Ingest.Processing;

internal sealed record VerifyOutcome(VerificationStatus Status, string Hash, string? Problem);
