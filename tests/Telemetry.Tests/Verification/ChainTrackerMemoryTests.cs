namespace EdgeTwin.Telemetry.Tests.Verification;

using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Verification;
using Xunit;

/// <summary>
/// What most chains never have (a fork, a refused record, a blocked checkpoint, the log of decided links between
/// two exports) lives in a side object made when first needed and let go when empty again: a clean chain
/// between batches holds none, and one that has something keeps it, through exports, for its own chain only.
/// </summary>
public sealed class ChainTrackerMemoryTests
{
    private static VerifierOptions Options => new() { EnrolledAddresses = [TestKeys.ReferenceAddress], RecentWindow = 64, LogDecidedLinks = true, LinksAtRestInCallerStore = true };

    [Fact]
    public void ACleanChain_BetweenBatches_HoldsNoSideObject_NorAfterItsReport_NorAfterAnImport()
    {
        using var key = TestKeys.Reference();
        var chain = TestChains.Telemetry(key, 40);
        var id = new ChainKey("gw-1", Lane.Telemetry, chain[0].Epoch);
        var v = new StreamVerifier(Options);
        chain.ForEach(r => v.Add(r.Payload));
        var duringTheBatch = v.TrackerOf(id)!.HoldsSeldom; // the log of decided links
        v.ClearDecided(id);
        _ = v.Report();
        var afterTheBatch = v.TrackerOf(id)!.HoldsSeldom;
        v.ImportChainEncoded(v.ExportChainEncoded(id));

        Assert.True(duringTheBatch);
        Assert.False(afterTheBatch);
        Assert.False(v.TrackerOf(id)!.HoldsSeldom);
        Assert.Equal(chain[^1].Seq - 1, Assert.Single(v.Report()).VerifiedThrough);
    }

    [Fact]
    public void AForkAndARefusedRecord_AreKeptThroughTheBatchesEnd_AndAnExport_AndCountOnlyForTheirChain()
    {
        using var key = TestKeys.Reference();
        var chain = TestChains.Telemetry(key, 40);
        var other = TestChains.Telemetry(key, 40, gw: "gw-2");
        var (id, otherId) = (new ChainKey("gw-1", Lane.Telemetry, chain[0].Epoch), new ChainKey("gw-2", Lane.Telemetry, other[0].Epoch));
        var v = new StreamVerifier(Options);
        chain.ForEach(r => v.Add(r.Payload));
        other.ForEach(r => v.Add(r.Payload));
        v.Add(InjectedBranchTests.Inject(chain[11], 1, key)[0].Payload); // a fork at a decided seq
        var refused = System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(chain[5].Payload).Replace("\"seq\":5", "\"seq\":-5", StringComparison.Ordinal));
        Assert.Equal(RecordStatus.Rejected, v.Add(refused).Status);
        v.ClearDecided(id);
        v.ClearDecided(otherId);
        v.ImportChainEncoded(v.ExportChainEncoded(id));

        var reports = v.Report().ToDictionary(r => r.Chain.Gw);
        Assert.True(v.TrackerOf(id)!.HoldsSeldom);
        Assert.False(v.TrackerOf(otherId)!.HoldsSeldom);
        Assert.Equal((1L, 1L), (reports["gw-1"].Forks, reports["gw-1"].Rejected));
        Assert.Equal((0L, 0L, 0), (reports["gw-2"].Forks, reports["gw-2"].Rejected, reports["gw-2"].Problems.Count));
    }
}
