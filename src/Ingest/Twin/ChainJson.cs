namespace EdgeTwin.Ingest.Twin;

using System.Text.Json.Nodes;
using EdgeTwin.Ingest.Storage;

/// <summary>The <c>GET /api/chains</c> shape of one chain (issue 7 names the fields).</summary>
internal static class ChainJson
{
    public static JsonObject From(ChainRow c) => new()
    {
        ["gw"] = c.Id.Gw,
        ["site"] = c.Site,
        ["lane"] = c.Id.Lane,
        ["epoch"] = c.Id.Epoch,
        ["received"] = c.Received,
        ["verified"] = c.Verified,
        ["verifiedThrough"] = c.VerifiedThrough,
        ["pending"] = c.Pending,
        ["missing"] = c.Missing,
        ["gapCovered"] = c.GapCovered,
        ["duplicates"] = c.Duplicates,
        ["forks"] = c.Forks,
        ["badSigs"] = c.BadSignatures,
        ["brokenLinks"] = c.BrokenLinks,
        ["unsignedBranch"] = c.UnsignedBranch,
        ["rejected"] = c.Rejected,
        ["receiptedThrough"] = c.ReceiptedThrough,
        ["lastCheckpointAt"] = c.LastCheckpointAt,
        ["genesisReason"] = c.GenesisReason,
    };
}
