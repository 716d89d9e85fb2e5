namespace EdgeTwin.Ingest.Tests.Storage;

using System.Security.Cryptography;
using EdgeTwin.Ingest.Storage;

/// <summary>Evidence at rest (issue 14): the first 4 KiB, the size and the SHA-256, on every backend.</summary>
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task Evidence_OfFiveMegabytes_KeepsTheFirst4KiB_ItsSizeAndHash_AndIsNeverAVariant()
    {
        var store = await OpenAsync();
        var big = RandomNumberGenerator.GetBytes(5 * 1024 * 1024);
        await store.WriteAsync([Chain], "site", async s =>
        {
            await s.AddEvidenceAsync(new EvidenceRow(T0, "t/x", "gw-1", "fork", big) { Chain = Chain, Seq = 7, Hash = "hbig" });
            await s.AddEvidenceAsync(new EvidenceRow(T0, "t/x", "gw-1", "fork", [1, 2, 3]) { Chain = Chain, Seq = 8, Hash = "hsmall" });
            return 0;
        }, default);

        var rows = await store.EvidenceAsync(10, default);
        var kept = rows[0];
        Assert.Equal(big[..EvidencePayload.KeptBytes], kept.Payload);
        Assert.Equal((5L * 1024 * 1024, Convert.ToHexStringLower(SHA256.HashData(big)), true), (kept.Size, kept.Sha256, kept.Truncated));
        Assert.Equal((3L, false), (rows[1].Size, rows[1].Truncated));
        var variants = await store.WriteAsync([Chain], "site", async s => (await s.FindVariantAsync(Chain, 7, "hbig"), await s.FindVariantAsync(Chain, 8, "hsmall")), default);
        Assert.Null(variants.Item1);
        Assert.Equal(new byte[] { 1, 2, 3 }, variants.Item2!.Payload);
    }
}
