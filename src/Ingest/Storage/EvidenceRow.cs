namespace EdgeTwin.Ingest.Storage;

/// <summary>
/// A message that did not become data (bad signer, fork, malformed, wrong topic), kept as evidence.
/// <see cref="Chain"/>/<see cref="Seq"/>/<see cref="Hash"/> are set when it named a chain; a fork
/// variant can then take its seq's place if the verifier links it instead of the stored record.
/// At rest only the first <see cref="EvidencePayload.KeptBytes"/> of the payload are kept, with its
/// whole <see cref="Size"/> and <see cref="Sha256"/> (<see cref="EvidencePayload.Keep"/>).
/// </summary>
internal sealed record EvidenceRow(DateTimeOffset At, string Topic, string? Gw, string Problem, byte[] Payload)
{
    public long Id { get; init; }

    public ChainId? Chain { get; init; }

    public long? Seq { get; init; }

    public string? Hash { get; init; }

    /// <summary>Bytes of the payload as received (more than <see cref="Payload"/> holds when truncated).</summary>
    public long Size { get; init; } = -1;

    /// <summary>SHA-256 (hex) of the payload as received.</summary>
    public string? Sha256 { get; init; }

    public bool Truncated => Size > Payload.Length;
}
