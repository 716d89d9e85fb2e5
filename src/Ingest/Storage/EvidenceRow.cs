namespace EdgeTwin.Ingest.Storage;

/// <summary>A message that did not become data (bad signer, fork, malformed, wrong topic), kept as evidence.</summary>
internal sealed record EvidenceRow(DateTimeOffset At, string Topic, string? Gw, string Problem, byte[] Payload)
{
    public long Id { get; init; }
}
