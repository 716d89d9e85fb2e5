namespace EdgeTwin.Telemetry.Tests.Verification;

using EdgeTwin.Telemetry.Verification;

/// <summary>
/// A live capture joins a chain long after its genesis (<see cref="VerifierOptions.FromMiddle"/>): what was
/// received before the first record is out of scope, not missing; off by default.
/// </summary>
public sealed class FromMiddleTests
{
    private static readonly VerifierOptions Middle = new() { FromMiddle = true, EnrolledAddresses = [TestKeys.ReferenceAddress] };

    private static (StreamVerifier Verifier, ChainReport Report) Verify(IEnumerable<byte[]> payloads, VerifierOptions options)
    {
        var v = new StreamVerifier(options);
        foreach (var p in payloads)
        {
            v.Add(p);
        }

        return (v, Assert.Single(v.Report()));
    }

    [Fact]
    public void FromMiddle_AChainJoinedAfterSeven_VerifiesFromSeqSeven_WithNothingMissing()
    {
        using var key = TestKeys.Reference();
        var chain = TestChains.Telemetry(key, 20, every: 4);
        var joined = chain.Where(c => c.Seq >= 7).ToList();

        var (_, r) = Verify(joined.Select(c => c.Payload), Middle);

        Assert.Equal((7L, 0L, 0L), (r.From, r.Missing, r.BeforeStart));
        Assert.Equal((joined.Count, joined.Count - 1L, 1L), (r.Received, r.Verified, r.Pending));
        Assert.Equal(chain[^2].Seq, r.VerifiedThrough);
        Assert.Equal(TestKeys.ReferenceAddress, r.Key, StringComparer.OrdinalIgnoreCase);
        Assert.True(r.Sound);
        Assert.Empty(r.Problems);
    }

    [Fact]
    public void ByDefault_AChainMissingItsFirstSeven_HasSevenMissing_AndNothingVerified()
    {
        using var key = TestKeys.Reference();
        var joined = TestChains.Telemetry(key, 20, every: 4).Where(c => c.Seq >= 7).ToList();

        var (_, r) = Verify(joined.Select(c => c.Payload), new VerifierOptions { EnrolledAddresses = [TestKeys.ReferenceAddress] });

        Assert.Equal((0L, 7L, 0L, -1L), (r.From, r.Missing, r.Verified, r.VerifiedThrough));
    }

    [Fact]
    public void FromMiddle_ARecordBeforeTheStartArrivingLater_IsCountedOutOfScope_NotAProblem()
    {
        using var key = TestKeys.Reference();
        var chain = TestChains.Telemetry(key, 20, every: 4);
        var (v, _) = Verify(chain.Where(c => c.Seq >= 7).Select(c => c.Payload), Middle);

        var outcome = v.Add(chain[3].Payload);

        var r = Assert.Single(v.Report());
        Assert.Equal((RecordStatus.Rejected, VerifierProblems.BeforeStart), (outcome.Status, outcome.Problem));
        Assert.Equal((7L, 1L, 0L), (r.From, r.BeforeStart, r.Rejected));
        Assert.True(r.Sound);
    }

    [Fact]
    public void FromMiddle_RecordsBeforeTheFirstCheckpointArrivingOutOfOrder_StillCountFromTheLowest()
    {
        using var key = TestKeys.Reference();
        var joined = TestChains.Telemetry(key, 20, every: 4).Where(c => c.Seq >= 7).ToList();
        var delivery = joined.Skip(2).Concat(joined.Take(2)).Select(c => c.Payload);

        var (_, r) = Verify(delivery, Middle);

        // The first checkpoint arrived before seqs 7 and 8; the chain starts where its links then reached.
        Assert.Equal(9L, r.From);
        Assert.Equal(2L, r.BeforeStart);
        Assert.Equal(joined.Count - 3L, r.Verified);
        Assert.True(r.Sound);
    }

    [Fact]
    public void FromMiddle_CheckpointsOfAnUnenrolledKey_AnchorNothing()
    {
        using var forger = TestKeys.Other();
        var joined = TestChains.Telemetry(forger, 20, every: 4).Where(c => c.Seq >= 7).ToList();

        var (_, r) = Verify(joined.Select(c => c.Payload), Middle);

        Assert.Equal((0L, -1L, (long)joined.Count), (r.Verified, r.VerifiedThrough, r.Pending));
    }

    [Fact]
    public void FromMiddle_AHoleAboveTheFirstRecord_AnchorsNothingBelowIt()
    {
        using var key = TestKeys.Reference();
        var chain = TestChains.Telemetry(key, 20, every: 4);
        var hole = chain.First(c => c.Seq > 8 && c.Kind == "checkpoint").Seq - 1;
        var withHole = chain.Where(c => c.Seq >= 7 && c.Seq != hole).ToList();

        var (_, r) = Verify(withHole.Select(c => c.Payload), Middle);

        // The records below the hole link to no checkpoint: they are neither verified nor out of scope, and the hole is missing.
        Assert.Equal((7L, 1L, 0L, 0L), (r.From, r.Missing, r.Verified, r.BeforeStart));
    }

    [Fact]
    public void FromMiddle_WithAGenesisHeld_GivesTheDefaultVerdict()
    {
        using var key = TestKeys.Reference();
        var chain = TestChains.Telemetry(key, 20, every: 4);

        var (_, middle) = Verify(chain.Select(c => c.Payload), Middle);
        var (_, plain) = Verify(chain.Select(c => c.Payload), new VerifierOptions { EnrolledAddresses = [TestKeys.ReferenceAddress] });

        Assert.Equal(plain with { Problems = [] }, middle with { Problems = [] });
        Assert.Equal(0L, middle.From);
    }

    [Fact]
    public void FromMiddle_WithoutEnrolledAddresses_IsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => new StreamVerifier(new VerifierOptions { FromMiddle = true }));

        Assert.Contains("enrolled", e.Message, StringComparison.Ordinal);
    }
}
