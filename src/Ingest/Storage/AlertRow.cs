namespace EdgeTwin.Ingest.Storage;

/// <summary>A stored alert. <see cref="Kind"/> is the wire id (e.g. <c>fork</c>, <c>bad-signature</c>).</summary>
internal sealed record AlertRow(DateTimeOffset At, string Kind, string Gw, string? Lane, string? Epoch, long? Seq, string Detail)
{
    public long Id { get; init; }
}
