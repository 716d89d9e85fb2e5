namespace EdgeTwin.Ingest.Storage;

/// <summary>
/// One accepted record, stored once per (gw, lane, epoch, seq) with its exact bytes. It is data
/// (API, FHIR, twin) only once its seq is at or below the chain's <see cref="ChainRow.VerifiedThrough"/>.
/// </summary>
internal sealed record RecordRow(
    ChainId Chain,
    long Seq,
    string Hash,
    string Kind,
    string Site,
    DateTimeOffset? Ts,
    string? Patient,
    string? Code,
    byte[] Payload,
    DateTimeOffset ReceivedAt);
