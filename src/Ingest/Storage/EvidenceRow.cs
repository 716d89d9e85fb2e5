namespace EdgeTwin.Ingest.Storage;

/// <summary>
/// A message that did not become data (bad signer, fork, malformed, wrong topic), kept as evidence.
/// <see cref="Chain"/>/<see cref="Seq"/>/<see cref="Hash"/> are set when it named a chain; a fork
/// variant can then take its seq's place if the verifier links it instead of the stored record.
/// </summary>
internal sealed record EvidenceRow(DateTimeOffset At, string Topic, string? Gw, string Problem, byte[] Payload)
{
    public long Id { get; init; }

    public ChainId? Chain { get; init; }

    public long? Seq { get; init; }

    public string? Hash { get; init; }
}
