namespace EdgeTwin.Ingest.Tests.Storage;

using System.Security.Cryptography;
using EdgeTwin.Ingest.Anchoring;
using EdgeTwin.Ingest.Storage;

/// <summary>The leaf log and the anchors (issue 17), the same on every backend.</summary>
public abstract partial class StoreContractTests
{
    private static readonly ChainId Other = new("gw-2", "alarm", new string('b', 32));

    [Fact]
    public async Task AnchorLeaves_AreTheStoredCheckpointsInTheRange_OncePerCheckpoint_InTheOrderAdded()
    {
        var store = await OpenAsync();
        var anchors = (IAnchorStore)store;
        await SeedTwoChainsAsync(store, 10, async s =>
        {
            await s.AddAnchorLeavesAsync(Chain, 0, 5);
            await s.AddAnchorLeavesAsync(Chain, 3, 8); // overlaps: seq 5 is not added twice
        });

        var first = await anchors.PrepareAnchorAsync(3, Join, T0, default);
        Assert.NotNull(first);
        Assert.Equal((0L, 0L, 3L, new string('0', 64)), (first!.Index, first.FirstLeaf, first.TreeSize, first.PreviousRoot));
        Assert.Equal(Join([Hash(Chain, 2), Hash(Chain, 5), Hash(Chain, 8)]), first.Root);
        Assert.False(first.Anchored);

        // Until it is anchored, the prepared anchor is what every round gets back.
        Assert.Equal(first, await anchors.PrepareAnchorAsync(3, Join, T0.AddHours(1), default));
        await anchors.ConfirmAnchorAsync(0, 1337, "0xc0ffee", "0xtx", 7, T0.AddMinutes(1), default);

        var second = await anchors.PrepareAnchorAsync(3, Join, T0.AddHours(1), default);
        Assert.Equal((1L, 3L, 1L, first.Root), (second!.Index, second.FirstLeaf, second.TreeSize, second.PreviousRoot));
        Assert.Equal(Join([Hash(Other, 1)]), second.Root);
        Assert.Equal(3, (await anchors.LeafAsync(Other, 1, default))!.Position);
        Assert.Equal(1, (await anchors.LeafAsync(Chain, 5, default))!.Position);
        Assert.Null(await anchors.LeafAsync(Chain, 4, default));
        Assert.Equal([Hash(Chain, 5), Hash(Chain, 8)], await anchors.LeafHashesAsync(1, 2, default));
        Assert.Equal(0, (await anchors.AnchorCoveringAsync(2, default))!.Index);
        Assert.Equal(1, (await anchors.AnchorCoveringAsync(3, default))!.Index);
        Assert.Null(await anchors.AnchorCoveringAsync(4, default));

        var anchored = (await anchors.AnchorAsync(0, default))!;
        Assert.Equal((1337L, "0xc0ffee", "0xtx", 7L), (anchored.ChainId!.Value, anchored.Contract, anchored.Tx, anchored.Block!.Value));
        Assert.Equal([1L, 0L], (await anchors.AnchorsAsync(10, default)).Select(a => a.Index));

        await anchors.ConfirmAnchorAsync(1, 1337, "0xc0ffee", "0xtx2", 8, T0.AddMinutes(2), default);
        Assert.Null(await anchors.PrepareAnchorAsync(3, Join, T0.AddHours(2), default)); // nothing waits
    }

    [Fact]
    public async Task AuditLeaves_CarryTheStoredCheckpointBytes_AndThroughCheckpoint_EndsAtTheFirstCheckpoint()
    {
        var store = await OpenAsync();
        var anchors = (IAnchorStore)store;
        await store.WriteAsync([Chain], "site", async s =>
        {
            for (var seq = 0; seq < 6; seq++)
            {
                await s.TryInsertRecordAsync(seq is 2 or 5 ? Checkpoint(Chain, seq) : Record(seq, $"h{seq}"));
            }

            await s.AddAnchorLeavesAsync(Chain, 0, 5);
            return 0;
        }, default);
        await anchors.PrepareAnchorAsync(10, Join, T0, default);

        var audit = await anchors.AuditLeavesAsync(0, 2, default);
        Assert.Equal([2L, 5L], audit.Select(a => a.Seq));
        Assert.All(audit, a => Assert.Equal(a.LeafHash, Convert.ToHexStringLower(SHA256.HashData(a.Payload!))));

        Assert.Equal([3L, 4L, 5L], (await anchors.ThroughCheckpointAsync(Chain, 3, 100, default)).Select(r => r.Seq));
        Assert.Equal([2L], (await anchors.ThroughCheckpointAsync(Chain, 2, 100, default)).Select(r => r.Seq));
        Assert.Empty(await anchors.ThroughCheckpointAsync(Chain, 6, 100, default));
    }

    [Fact]
    public async Task LatestLeafBelow_IsTheChainsHighestSeqAnAnchorEndingThereHolds_NotOneWaitingOrAnotherChains()
    {
        var store = await OpenAsync();
        var anchors = (IAnchorStore)store;
        await SeedTwoChainsAsync(store, 12, s => s.AddAnchorLeavesAsync(Chain, 0, 8)); // checkpoints 2, 5, 8

        Assert.Null(await anchors.LatestLeafBelowAsync(Chain, 100, default)); // leaves, none taken by an anchor yet

        await anchors.PrepareAnchorAsync(3, Join, T0, default); // positions 0-2: Chain 2, 5, 8
        await anchors.ConfirmAnchorAsync(0, 1337, "0xc0ffee", "0xtx", 7, T0, default);
        await anchors.PrepareAnchorAsync(3, Join, T0, default); // position 3: Other 1
        await store.WriteAsync([Chain], "site", async s =>
        {
            await s.AddAnchorLeavesAsync(Chain, 9, 11); // checkpoint 11: waits for the next anchor
            return 0;
        }, default);

        Assert.Equal("8@2", Seen(await anchors.LatestLeafBelowAsync(Chain, 100, default)));
        Assert.Equal("8@2", Seen(await anchors.LatestLeafBelowAsync(Chain, 3, default)));
        Assert.Equal("5@1", Seen(await anchors.LatestLeafBelowAsync(Chain, 2, default)));
        Assert.Null(await anchors.LatestLeafBelowAsync(Chain, 0, default));
        Assert.Null(await anchors.LatestLeafBelowAsync(Other, 3, default)); // its leaf is at 3, an anchor ending at 3 does not hold it
        Assert.Equal("1@3", Seen(await anchors.LatestLeafBelowAsync(Other, 4, default)));
        Assert.Null(await anchors.LatestLeafBelowAsync(new ChainId(Chain.Gw, Chain.Lane, new string('c', 32)), 100, default));

        static string? Seen(AnchorLeafRow? leaf) => leaf is null ? null : $"{leaf.Seq}@{leaf.Position}";
    }

    /// <summary>
    /// <see cref="Chain"/>'s records 0 to <paramref name="records"/> - 1 (a checkpoint at every third) with
    /// the leaves <paramref name="leaves"/> adds, then <see cref="Other"/>'s checkpoint 1 and its leaf.
    /// </summary>
    private static async Task SeedTwoChainsAsync(IIngestStore store, int records, Func<IWriteSession, Task> leaves)
    {
        await store.WriteAsync([Chain], "site", async s =>
        {
            for (var seq = 0; seq < records; seq++)
            {
                await s.TryInsertRecordAsync(seq % 3 == 2 ? Checkpoint(Chain, seq) : Record(seq, $"h{seq}"));
            }

            await leaves(s);
            return 0;
        }, default);
        await store.WriteAsync([Other], "site", async s =>
        {
            await s.TryInsertRecordAsync(Checkpoint(Other, 1));
            await s.AddAnchorLeavesAsync(Other, 0, 1);
            return 0;
        }, default);
    }

    /// <summary>A stand-in root (the order of the hashes matters, as for a Merkle root), computed without the production code.</summary>
    private static string Join(IReadOnlyList<string> hashes) => string.Join("+", hashes);

    private static RecordRow Checkpoint(ChainId chain, long seq)
    {
        byte[] payload = [.. System.Text.Encoding.UTF8.GetBytes($"checkpoint {chain} {seq}")];
        return new(chain, seq, Convert.ToHexStringLower(SHA256.HashData(payload)), "checkpoint", "site", T0.AddSeconds(seq), null, null, payload, T0);
    }

    private static string Hash(ChainId chain, long seq) => Checkpoint(chain, seq).Hash;
}
