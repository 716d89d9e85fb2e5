namespace EdgeTwin.Ingest.Processing;

using System.Text.Json.Nodes;

/// <summary>A receipt (PROTOCOL §2): the chain is stored and verified through <see cref="Seq"/>.</summary>
internal sealed record Receipt(string Site, string Gw, string Lane, string Epoch, long Seq)
{
    public byte[] ToPayload() =>
        System.Text.Encoding.UTF8.GetBytes(new JsonObject { ["lane"] = Lane, ["epoch"] = Epoch, ["seq"] = Seq }.ToJsonString());
}
