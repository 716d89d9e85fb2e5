namespace EdgeTwin.Ingest.Processing;

using EdgeTwin.Telemetry.Receipts;
using EdgeTwin.Telemetry.Signing;

/// <summary>A receipt a committed batch allows (PROTOCOL §7): chain stored and verified through <see cref="Seq"/>, whose stored record hash is <see cref="Hash"/>.</summary>
internal sealed record ReceiptDue(string Site, string Gw, string Lane, string Epoch, long Seq, string Hash)
{
    public Receipt Sign(ICheckpointSigner ingestKey) => Receipt.Sign(Gw, Lane, Epoch, Seq, Hash, ingestKey);
}
