namespace EdgeTwin.Telemetry.Tests.Verification;

using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Signing;
using EdgeTwin.Telemetry.Verification;
using FsCheck.Xunit;

/// <summary>
/// A stranger's records held far ahead of a chain (gap statements reaching back, checkpoints signed with
/// its own key) cost the gateway's records nothing: a trace from a checkpoint looks only at the gap
/// statements that can bear on the seqs it crosses, and once the chain's key is known only checkpoints it
/// signed are tried. Before, every genuine record stepped through all of them (22 times slower with
/// 8,000 of each: docs/benchmarks.md, StrangersHeldAheadBenchmark). A decision that removes only what it
/// decided drops that from the indexes instead of rebuilding them: held here to the rebuilt ones.
/// </summary>
public sealed class ChainTrackerAdversaryTests
{
    [Property(MaxTest = 150)]
    public bool TheIndexes_AreWhatRebuildingThemFromTheHeldRecordsGives_AfterEveryRecord(int seed)
    {
        var random = new Random(seed);
        using var key = TestKeys.Reference();
        using var stranger = TestKeys.Other();
        var (written, delivery) = ReportCountsTests.Delivery(random, key, stranger);
        var verifier = new StreamVerifier(new VerifierOptions { EnrolledAddresses = [TestKeys.ReferenceAddress], RecentWindow = 64, LogDecidedLinks = true, FromMiddle = random.Next(4) == 0 });
        var chain = new ChainKey("gw-1", Lane.Telemetry, written[0].Epoch);
        var compared = 0;
        foreach (var record in delivery)
        {
            verifier.Add(record.Payload);
            if (verifier.TrackerOf(chain) is not { } tracker || tracker.GapsAmbiguous)
            {
                continue;
            }

            if (!tracker.IndexesAsRebuilt())
            {
                return false;
            }

            compared++;
        }

        return compared > 0;
    }

    [Fact]
    public void AStrangersGapStatementsAndCheckpointsHeldAhead_AGenuineChainVerifies_LookingAtOneOfThemAtMostPerRecord()
    {
        using var key = TestKeys.Reference();
        using var stranger = TestKeys.Other();
        var genuine = TestChains.Telemetry(key, 400, every: 16);
        // Each checkpoint arrives before the records it covers, so every record's trace stops at a seq
        // not yet held and looks for a gap statement to cross it by.
        var delivery = genuine.Chunk(17).SelectMany(c => c.Reverse()).ToList();

        var quiet = Run(genuine, delivery, null, 0);
        var attacked = Run(genuine, delivery, stranger, 2_000);

        Assert.Equal((quiet.VerifiedThrough, quiet.Verified), (attacked.VerifiedThrough, attacked.Verified));
        Assert.Equal(genuine[^1].Seq - 1, attacked.VerifiedThrough);
        // None of the statements can be crossed by (they lie ahead of every checkpoint's path); placing a
        // checkpoint finds the first that covers it and stops. Stepping through them all was 2,000 a record.
        Assert.InRange(attacked.Examined, 1, delivery.Count);
    }

    [Fact]
    public void AStrangersCheckpoints_WhileTheGatewaysWaitsInsideAClaimedGap_TraceNothingAgain()
    {
        // The gateway's checkpoint waits for a late record at a seq a stranger's gap statement names. A
        // checkpoint of the gateway's above it might cross a genuine statement on its own path, so one such
        // arriving makes the verifier try again; a stranger's own checkpoints must not, one trace each.
        using var key = TestKeys.Reference();
        using var stranger = TestKeys.Other();
        var genuine = TestChains.Telemetry(key, 8, every: 4); // 0 genesis, 1-4 obs, 5 checkpoint, 6-9 obs, 10 checkpoint
        var late = genuine.Single(r => r.Seq == 7);
        var v = new StreamVerifier(new VerifierOptions { EnrolledAddresses = [TestKeys.ReferenceAddress] });
        foreach (var r in genuine.Where(r => r != late))
        {
            v.Add(r.Payload);
        }

        var w = ChainWriter.Resume(new ChainState("gw-1", late.Lane, late.Epoch, 100, new string('c', 64), 0, null), stranger, new CheckpointPolicy { MaxRecords = 1_000_000 });
        v.Add(w.AppendGap(late.Seq, late.Seq, late.Prev, late.Hash, "quota", TestChains.T0, ClockQuality.Synced).Payload);
        var chain = new ChainKey("gw-1", Lane.Telemetry, late.Epoch);
        Assert.Equal((late.Seq, late.Hash), v.Needed(chain));

        ChainTracker.GapStatementsExamined = 0;
        for (var i = 0; i < 1_000; i++)
        {
            v.Add(w.Checkpoint(TestChains.T0, ClockQuality.Synced)!.Payload);
            v.Add(w.AppendObs(new ObsBody("p-1", "dev-1", "loinc:8867-4", "/min", TestChains.T0, 0, [i]), TestChains.T0, ClockQuality.Synced).Payload);
        }

        Assert.Equal(0, ChainTracker.GapStatementsExamined);
        v.Add(late.Payload);
        Assert.Equal(genuine[^1].Seq - 1, v.ReportOf(chain)!.VerifiedThrough);
    }

    [Fact]
    public void AStatementHeldAboveACheckpoint_WhoseRangeTheDecisionPasses_LeavesTheIndexes()
    {
        using var key = TestKeys.Reference();
        using var stranger = TestKeys.Other();
        var genuine = TestChains.Telemetry(key, 40, every: 16);
        var checkpoints = genuine.Where(r => r.Kind == "checkpoint").ToList();
        var (first, second) = (checkpoints[0], checkpoints[1]);
        var v = new StreamVerifier(new VerifierOptions { EnrolledAddresses = [TestKeys.ReferenceAddress], RecentWindow = 64, LogDecidedLinks = true });
        var chain = new ChainKey("gw-1", Lane.Telemetry, genuine[0].Epoch);
        foreach (var r in genuine.Where(r => r.Seq < second.Seq))
        {
            v.Add(r.Payload);
        }

        Assert.Equal(first.Seq - 1, v.ReportOf(chain)!.VerifiedThrough); // the key is known: the next decision only drops what it decides

        // A stranger's statement at a seq above the second checkpoint, over seqs between the two.
        var w = ChainWriter.Resume(new ChainState("gw-1", genuine[0].Lane, genuine[0].Epoch, second.Seq + 2, new string('c', 64), 0, null), stranger, new CheckpointPolicy { MaxRecords = 1_000_000 });
        v.Add(w.AppendGap(first.Seq + 3, first.Seq + 6, new string('a', 64), new string('a', 64), "quota", TestChains.T0, ClockQuality.Synced).Payload);
        var tracker = v.TrackerOf(chain)!;
        Assert.Single(tracker.CountInputs().PendingGaps);

        v.Add(second.Payload);

        Assert.Equal(second.Seq - 1, v.ReportOf(chain)!.VerifiedThrough);
        Assert.False(tracker.GapsAmbiguous);
        Assert.Empty(tracker.CountInputs().PendingGaps);
        Assert.True(tracker.IndexesAsRebuilt());
    }

    private static (long VerifiedThrough, long Verified, long Examined) Run(List<ChainRecord> genuine, List<ChainRecord> delivery, GatewayKey? stranger, int strangers)
    {
        var v = new StreamVerifier(new VerifierOptions { EnrolledAddresses = [TestKeys.ReferenceAddress], RecentWindow = 64, LogDecidedLinks = true });
        v.Add(genuine[0].Payload);
        if (stranger is not null)
        {
            // Far ahead of the genuine chain: gap statements from every early seq up to their own, and a
            // checkpoint signed with the stranger's key after each.
            var w = ChainWriter.Resume(new ChainState("gw-1", genuine[0].Lane, genuine[0].Epoch, 1_000, new string('c', 64), 0, null), stranger, new CheckpointPolicy { MaxRecords = 1_000_000 });
            var filler = new string('a', 64);
            for (var i = 0; i < strangers; i++)
            {
                Assert.Equal(RecordStatus.New, v.Add(w.AppendGap(1 + i, w.State.Seq, filler, filler, "quota", TestChains.T0, ClockQuality.Synced).Payload).Status);
                Assert.Equal(RecordStatus.New, v.Add(w.Checkpoint(TestChains.T0, ClockQuality.Synced)!.Payload).Status);
            }
        }

        ChainTracker.GapStatementsExamined = 0;
        foreach (var r in delivery)
        {
            v.Add(r.Payload);
        }

        var report = v.ReportOf(new ChainKey("gw-1", Lane.Telemetry, genuine[0].Epoch))!;
        return (report.VerifiedThrough, report.Verified, ChainTracker.GapStatementsExamined);
    }
}
