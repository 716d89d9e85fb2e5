namespace EdgeTwin.Ingest.Processing;

internal enum VerificationStatus
{
    New,
    Duplicate,
    Fork,
    Alternative,
    Rejected,
}
