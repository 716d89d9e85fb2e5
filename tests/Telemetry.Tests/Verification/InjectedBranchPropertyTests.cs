namespace EdgeTwin.Telemetry.Tests.Verification;

using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Verification;
using FsCheck.Xunit;

/// <summary>
/// Chains of random shape, strangers' branches chained onto random genuine records (some ending in a
/// checkpoint signed by the stranger), everything delivered in random order: every genuine record a
/// checkpoint covers verifies, and nothing a stranger sends breaks the chain.
/// </summary>
public sealed class InjectedBranchPropertyTests
{
    [Property(MaxTest = 150)]
    public bool InjectedBranches_NeverBreakAChain_NorKeepACoveredRecordFromVerifying(int seed)
    {
        var random = new Random(seed);
        using var key = TestKeys.Reference();
        using var stranger = TestKeys.Other();
        var chain = TestChains.Telemetry(key, random.Next(3, 40), every: random.Next(2, 9));
        var delivery = new List<ChainRecord>(chain);
        for (var b = random.Next(0, 4); b > 0; b--)
        {
            var at = chain[random.Next(chain.Count)];
            delivery.AddRange(InjectedBranchTests.Inject(at, random.Next(1, 5), stranger, checkpoint: random.Next(3) == 0, sample: random.Next(100, 100_000)));
        }

        var v = new StreamVerifier(new VerifierOptions { EnrolledAddresses = [TestKeys.ReferenceAddress] });
        foreach (var r in delivery.OrderBy(_ => random.Next()))
        {
            v.Add(r.Payload);
        }

        var report = Assert.Single(v.Report());
        return report.Verified == chain.Count - 1 && report.VerifiedThrough == chain[^2].Seq && report.BrokenLinks == 0
            && report.Received + report.UnsignedBranch - report.Forks >= chain.Count;
    }
}
