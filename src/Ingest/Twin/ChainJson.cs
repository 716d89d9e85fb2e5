namespace EdgeTwin.Ingest.Twin;

using System.Text.Json.Nodes;
using EdgeTwin.Ingest.Storage;

/// <summary>
/// The <c>GET /api/chains</c> shape of one chain (issue 7 names the fields), with its state in one
/// word for people (the ward, bed and chains pages): <c>broken</c> when it has forks, bad signatures or
/// broken links (named in <c>problems</c>), else <c>gaps</c> when seqs are missing, else <c>verified</c>.
/// </summary>
internal static class ChainJson
{
    public static JsonObject From(ChainRow c)
    {
        var problems = new List<string>();
        foreach (var (count, label) in new[] { (c.Forks, "forks"), (c.BadSignatures, "bad signatures"), (c.BrokenLinks, "broken links") })
        {
            if (count > 0)
            {
                problems.Add($"{count} {label}");
            }
        }

        var json = Figures(c);
        json["state"] = problems.Count > 0 ? "broken" : c.Missing > 0 ? "gaps" : "verified";
        json["problems"] = string.Join(", ", problems);
        return json;
    }

    private static JsonObject Figures(ChainRow c) => new()
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
