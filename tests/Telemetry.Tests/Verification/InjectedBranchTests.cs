namespace EdgeTwin.Telemetry.Tests.Verification;

using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Signing;
using EdgeTwin.Telemetry.Verification;

/// <summary>
/// Anyone can publish a record; only the gateway can sign a checkpoint. Records chained onto a real head
/// by a stranger are held beside the genuine ones until a valid checkpoint decides, and never break a chain.
/// Chain layout (every: 4): 0 genesis, 1-3 obs, 4 cp, 5-8 obs, 9 cp, 10-13 obs, 14 cp.
/// </summary>
public sealed class InjectedBranchTests
{
    private static List<ChainRecord> Genuine(GatewayKey key) => TestChains.Telemetry(key, 11, every: 4);

    /// <summary>Records a stranger chains onto <paramref name="head"/>: obs, and a checkpoint signed by <paramref name="signer"/> when asked.</summary>
    internal static List<ChainRecord> Inject(ChainRecord head, int count, ICheckpointSigner signer, bool checkpoint = false, int sample = 200)
    {
        var w = ChainWriter.Resume(new ChainState("gw-1", head.Lane, head.Epoch, head.Seq, head.Hash, 0, null), signer, new CheckpointPolicy { MaxRecords = 1000 });
        var list = new List<ChainRecord>();
        for (var i = 0; i < count; i++)
        {
            list.Add(w.AppendObs(new ObsBody("p-1", "dev-1", "loinc:8867-4", "/min", TestChains.T0, 0, [sample + i]), TestChains.T0, ClockQuality.Synced));
        }

        if (checkpoint)
        {
            list.Add(w.Checkpoint(TestChains.T0, ClockQuality.Synced)!);
        }

        return list;
    }

    private static (StreamVerifier Verifier, List<RecordOutcome> Outcomes) Run(IEnumerable<ChainRecord> delivery, VerifierOptions? options = null)
    {
        var v = new StreamVerifier(options ?? new VerifierOptions { EnrolledAddresses = [TestKeys.ReferenceAddress] });
        return (v, [.. delivery.Select(r => v.Add(r.Payload))]);
    }

    [Fact]
    public void InjectedPairArrivingFirst_EveryGenuineRecordVerifies_AndThePairIsCountedAsUnsignedBranch()
    {
        using var key = TestKeys.Reference();
        using var stranger = TestKeys.Other();
        var chain = Genuine(key);
        var injected = Inject(chain[9], 2, stranger);

        var (v, outcomes) = Run([.. chain.Take(10), .. injected, .. chain.Skip(10)]);

        var r = Assert.Single(v.Report());
        Assert.Equal((15L, 14L, 13L, 2L), (r.Received, r.Verified, r.VerifiedThrough, r.UnsignedBranch));
        Assert.Equal((0L, 0L, 0L, 0L), (r.Forks, r.BrokenLinks, r.BadSigs, r.Missing));
        Assert.Equal([RecordStatus.Alternative, RecordStatus.Alternative], outcomes.Skip(12).Take(2).Select(o => o.Status));
        Assert.Equal(2, r.Problems.Count(p => p.Contains(VerifierProblems.UnsignedBranch, StringComparison.Ordinal)));
    }

    [Fact]
    public void InjectedPairArrivingAfterTheGenuineRecords_BeforeTheirCheckpoint_IsHeldAndDecidedAgainst()
    {
        using var key = TestKeys.Reference();
        using var stranger = TestKeys.Other();
        var chain = Genuine(key);
        var injected = Inject(chain[9], 2, stranger);

        var (v, outcomes) = Run([.. chain.Take(14), .. injected, chain[14]]);

        var r = Assert.Single(v.Report());
        Assert.Equal((15L, 14L, 2L, 0L, 0L), (r.Received, r.Verified, r.UnsignedBranch, r.Forks, r.BrokenLinks));
        Assert.All(outcomes.Skip(14).Take(2), o => Assert.Equal(RecordStatus.Alternative, o.Status));
    }

    [Fact]
    public void InjectedPairArrivingAfterTheCheckpoint_AreForks_AsBefore()
    {
        using var key = TestKeys.Reference();
        using var stranger = TestKeys.Other();
        var chain = Genuine(key);
        var injected = Inject(chain[9], 2, stranger);

        var (v, outcomes) = Run([.. chain, .. injected]);

        var r = Assert.Single(v.Report());
        Assert.Equal((17L, 14L, 2L, 0L, 0L), (r.Received, r.Verified, r.Forks, r.UnsignedBranch, r.BrokenLinks));
        Assert.All(outcomes.Skip(15), o => Assert.Equal(RecordStatus.Fork, o.Status)); // seqs 10, 11: covered seqs
    }

    [Fact]
    public void InjectedRecordLinkingToARecordDecidedAgainst_IsRefusedOnArrival()
    {
        using var key = TestKeys.Reference();
        using var stranger = TestKeys.Other();
        var chain = Genuine(key);
        var injected = Inject(chain[12], 3, stranger); // 13', 14', 15'

        var (v, outcomes) = Run([.. chain.Take(13), injected[0], chain[13], chain[14], injected[1], injected[2]]);

        var r = Assert.Single(v.Report());
        Assert.Equal((RecordStatus.Rejected, VerifierProblems.UnsignedBranch), (outcomes[^2].Status, outcomes[^2].Problem)); // 14': prev is not 13
        Assert.Equal((RecordStatus.Rejected, VerifierProblems.UnsignedBranch), (outcomes[^1].Status, outcomes[^1].Problem)); // 15': links to 14'
        Assert.Equal((15L, 14L, 3L, 0L, 0L), (r.Received, r.Verified, r.UnsignedBranch, r.Forks, r.BrokenLinks));
    }

    [Fact]
    public void InjectedRecordsInterleavedWithDuplicates_GenuineStillVerifies()
    {
        using var key = TestKeys.Reference();
        using var stranger = TestKeys.Other();
        var chain = Genuine(key);
        var injected = Inject(chain[9], 3, stranger);

        ChainRecord[] delivery =
        [
            .. chain.Take(10), injected[0], chain[10], injected[0], injected[1], chain[10], chain[11], injected[2],
            injected[1], chain[12], chain[9], chain[13], injected[2], chain[14], chain[14], injected[0],
        ];
        var (v, _) = Run(delivery);

        var r = Assert.Single(v.Report());
        Assert.Equal((15L + 1, 14L, 13L, 0L, 0L), (r.Received, r.Verified, r.VerifiedThrough, r.BrokenLinks, r.BadSigs));
        Assert.Equal((3L, 1L), (r.UnsignedBranch, r.Forks)); // the last repeat of injected[0] comes after seq 10 is covered: a fork
        Assert.Equal(6, r.Duplicates);
    }

    [Fact]
    public void InjectedCheckpointWithABadSignature_OnTheInjectedBranch_IsNotABadSignatureOfTheChain()
    {
        using var key = TestKeys.Reference();
        using var stranger = TestKeys.Other();
        var chain = Genuine(key);
        var injected = Inject(chain[9], 2, stranger, checkpoint: true);

        var (v, _) = Run([.. chain.Take(10), .. injected]);
        var during = Assert.Single(v.Report());
        foreach (var c in chain.Skip(10))
        {
            v.Add(c.Payload);
        }

        var r = Assert.Single(v.Report());
        Assert.Equal(1, during.BadSigs); // while undecided, the tail shows what it holds
        Assert.Equal((14L, 3L, 0L, 0L, 0L), (r.Verified, r.UnsignedBranch, r.BadSigs, r.BrokenLinks, r.Forks));
    }

    [Fact]
    public void InjectedCheckpointSignedByTheGenesisKeyOfAnotherChain_CannotDecide()
    {
        // A stranger's whole chain from its own genesis at the same epoch: its checkpoints are valid for its
        // own key, but only the enrolled gateway's genesis names the key that decides.
        using var key = TestKeys.Reference();
        using var stranger = TestKeys.Other();
        var chain = Genuine(key);
        var theirs = TestChains.Telemetry(stranger, 11, every: 4);

        var (v, _) = Run([.. theirs.Take(5), .. chain]);

        var r = Assert.Single(v.Report());
        Assert.Equal((14L, 0L, 0L), (r.Verified, r.BrokenLinks, r.BadSigs));
        Assert.Equal(TestKeys.ReferenceAddress, r.Key, ignoreCase: true);
    }

    [Fact]
    public void StrangersBeyondTheCapOfAlternatives_AreRefusedAndCounted_TheNeededGenuineRecordIsStillHeld()
    {
        using var key = TestKeys.Reference();
        using var stranger = TestKeys.Other();
        var chain = Genuine(key);
        var injected = Enumerable.Range(0, 5).Select(i => Inject(chain[9], 1, stranger, sample: 300 + i)[0]).ToList();

        // Live first: the checkpoint and the records below it arrive before seq 10, which is needed when it comes.
        var (v, outcomes) = Run([.. chain.Take(10), .. injected, chain[14], chain[13], chain[12], chain[11], chain[10]], new VerifierOptions { MaxAlternativesPerSeq = 2 });

        var r = Assert.Single(v.Report());
        Assert.Equal(3, outcomes.Skip(10).Take(5).Count(o => o.Problem == VerifierProblems.TooManyAlternatives));
        Assert.Equal(RecordStatus.Alternative, outcomes[^1].Status);
        Assert.Equal((14L, 13L, 5L, 0L), (r.Verified, r.VerifiedThrough, r.UnsignedBranch, r.BrokenLinks));
    }

    [Fact]
    public void HeldRecordsAtTheCap_FurtherAlternativesAreRefused_MemoryStaysBounded_RefusedGenuineRecordsComeBackWhenNeeded()
    {
        using var key = TestKeys.Reference();
        using var stranger = TestKeys.Other();
        var chain = Genuine(key);
        var chainKey = new ChainKey("gw-1", Lane.Telemetry, chain[0].Epoch);
        var v = new StreamVerifier(new VerifierOptions { MaxHeldRecords = 40 });
        chain.Take(10).ToList().ForEach(c => v.Add(c.Payload));

        // 50 strangers at each of seqs 10..13 before the gateway's own: at most a quarter of the held records may be alternatives.
        for (var i = 0; i < 50; i++)
        {
            Inject(chain[9], 4, stranger, sample: 1000 + (i * 10)).ForEach(c => v.Add(c.Payload));
        }

        Assert.True(v.ExportChain(chainKey).Held.Count <= 40, $"{v.ExportChain(chainKey).Held.Count} held");
        var refused = chain.Skip(10).Where(c => v.Add(c.Payload).Problem == VerifierProblems.TooManyAlternatives).ToList();

        // The caller (the ingest keeps them as evidence) adds again whatever the checkpoint waits for.
        while (v.Needed(chainKey) is { } needed)
        {
            Assert.Equal(RecordStatus.Alternative, v.Add(refused.Single(c => c.Hash == needed.Hash).Payload).Status);
        }

        var r = Assert.Single(v.Report());
        Assert.Equal(4, refused.Count);
        Assert.Equal((14L, 13L, 0L), (r.Verified, r.VerifiedThrough, r.BrokenLinks));
        Assert.Equal(200 + 4, r.UnsignedBranch); // every refusal is counted, the 4 genuine records' too
    }

    [Fact]
    public void TwoValidCheckpointsAtOneSeq_WithDifferentPrev_AreEquivocation_TheChainIsBroken()
    {
        using var key = TestKeys.Reference();
        var chain = Genuine(key);
        var other = Inject(chain[12], 1, key, checkpoint: true); // 13', then 14' signed by the gateway key itself

        var r = Assert.Single(Run([.. chain, .. other]).Verifier.Report());
        var held = Assert.Single(Run([.. chain.Take(13), .. other, chain[13], chain[14]]).Verifier.Report());

        Assert.Equal((1L, 2L, 14L), (r.BrokenLinks, r.Forks, r.Verified));
        Assert.Contains(r.Problems, p => p.Contains(VerifierProblems.Equivocation, StringComparison.Ordinal));
        Assert.False(r.Sound);
        Assert.True(held.BrokenLinks >= 1, "both checkpoints held before either decided");
        Assert.Contains(held.Problems, p => p.Contains(VerifierProblems.Equivocation, StringComparison.Ordinal));
    }

    [Fact]
    public void CopyOfAGenuineCheckpointWithOtherBytes_ArrivingFirst_IsAnUnsignedBranchRecord_NotEquivocation()
    {
        // The signature covers (gw, lane, epoch, seq - 1, prev), not the checkpoint's own ts: anyone can
        // copy it into a record with other bytes. It names the same record before it, so it decides the same.
        using var key = TestKeys.Reference();
        var chain = Genuine(key);
        var text = System.Text.Encoding.UTF8.GetString(chain[9].Payload);
        var copy = System.Text.Encoding.UTF8.GetBytes(text.Replace("\"ts\":\"2026-11-27T16:", "\"ts\":\"2026-11-27T17:", StringComparison.Ordinal));
        Assert.NotEqual(text, System.Text.Encoding.UTF8.GetString(copy));

        var v = new StreamVerifier(new VerifierOptions { EnrolledAddresses = [TestKeys.ReferenceAddress] });
        chain.Take(9).ToList().ForEach(c => v.Add(c.Payload));
        v.Add(copy);
        var outcomes = chain.Skip(9).Select(c => v.Add(c.Payload)).ToList();

        var r = Assert.Single(v.Report());
        Assert.Equal(RecordStatus.Alternative, outcomes[0].Status);
        Assert.Equal((14L, 0L, 1L, 0L), (r.Verified, r.BrokenLinks, r.UnsignedBranch, r.Forks));
        Assert.DoesNotContain(r.Problems, p => p.Contains(VerifierProblems.Equivocation, StringComparison.Ordinal));
    }

    [Fact]
    public void EquivocationAfterIt_NothingLaterVerifies()
    {
        using var key = TestKeys.Reference();
        var chain = TestChains.Telemetry(key, 15, every: 4); // ... 14 cp, 15-18 obs, 19 cp
        var other = Inject(chain[12], 1, key, checkpoint: true);

        var r = Assert.Single(Run([.. chain.Take(15), .. other, .. chain.Skip(15)]).Verifier.Report());

        Assert.Equal((14L, 13L), (r.Verified, r.VerifiedThrough));
        Assert.True(r.BrokenLinks >= 1);
    }

    [Fact]
    public void ReorderedWithMissingRecords_InjectedBranch_VerifiesOnceTheMissingArrive()
    {
        using var key = TestKeys.Reference();
        using var stranger = TestKeys.Other();
        var chain = TestChains.Telemetry(key, 30, every: 4);
        var injected = Inject(chain[11], 4, stranger).Concat(Inject(chain[20], 2, stranger, checkpoint: true)).ToList();
        var random = new Random(11);
        var late = new HashSet<long> { 3, 12, 21 };
        var first = chain.Where(c => !late.Contains(c.Seq)).Concat(injected).OrderBy(_ => random.Next()).ToList();

        var (v, _) = Run(first);
        var stalled = Assert.Single(v.Report());
        chain.Where(c => late.Contains(c.Seq)).ToList().ForEach(c => v.Add(c.Payload));
        var r = Assert.Single(v.Report());

        Assert.Equal((-1L, 1L), (stalled.VerifiedThrough, stalled.Missing)); // seqs 12 and 21 are held by strangers meanwhile
        Assert.Equal((chain.Count - 1L, chain[^2].Seq, 0L, 0L), (r.Verified, r.VerifiedThrough, r.BrokenLinks, r.Missing));
        Assert.Equal(injected.Count, r.UnsignedBranch + r.Forks);
    }

    [Fact]
    public void ExportImport_BetweenInjectedAndGenuine_DecidesTheSame()
    {
        using var key = TestKeys.Reference();
        using var stranger = TestKeys.Other();
        var chain = Genuine(key);
        var injected = Inject(chain[9], 2, stranger);
        var (first, _) = Run([.. chain.Take(10), .. injected, chain[10]]);

        var json = System.Text.Json.JsonSerializer.Serialize(first.ExportChain(new ChainKey("gw-1", Lane.Telemetry, chain[0].Epoch)));
        var second = new StreamVerifier(new VerifierOptions());
        second.ImportChain(System.Text.Json.JsonSerializer.Deserialize<ChainVerifierState>(json)!);
        chain.Skip(11).ToList().ForEach(c => second.Add(c.Payload));

        var r = Assert.Single(second.Report());
        Assert.Equal((15L, 14L, 2L, 0L), (r.Received, r.Verified, r.UnsignedBranch, r.BrokenLinks));
    }
}
