namespace EdgeTwin.Telemetry.Tests.Verification;

using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Signing;
using EdgeTwin.Telemetry.Verification;

public sealed class StreamVerifierTests
{
    private static ChainReport Verify(IEnumerable<byte[]> payloads, VerifierOptions? options = null)
    {
        var v = new StreamVerifier(options ?? new VerifierOptions());
        foreach (var p in payloads)
        {
            v.Add(p);
        }

        return Assert.Single(v.Report());
    }

    [Fact]
    public void ValidChain_IsVerifiedUpToTheLastCheckpoint()
    {
        using var key = TestKeys.Reference();
        var chain = TestChains.Telemetry(key, 10, every: 4);

        var r = Verify(chain.Select(c => c.Payload));

        Assert.Equal(chain.Count, r.Received);
        Assert.Equal(chain.Count - 1, r.Verified);
        Assert.Equal(1, r.Pending);
        Assert.Equal(chain[^2].Seq, r.VerifiedThrough);
        Assert.True(r.Sound);
        Assert.Empty(r.Problems);
    }

    [Fact]
    public void ShuffledWithDuplicates_GivesTheSameVerdict()
    {
        using var key = TestKeys.Reference();
        var chain = TestChains.Telemetry(key, 20, every: 5);
        var random = new Random(3);
        var delivery = chain.Concat(chain.Take(7)).Select(c => c.Payload).OrderBy(_ => random.Next()).ToList();

        var r = Verify(delivery);

        Assert.Equal((chain.Count, 7L, chain.Count - 1L, 0L), (r.Received, r.Duplicates, r.Verified, r.Forks));
        Assert.True(r.Sound);
    }

    [Fact]
    public void DuplicateOfAnAlreadyLinkedRecord_IsADuplicate_NotAFork()
    {
        using var key = TestKeys.Reference();
        var chain = TestChains.Telemetry(key, 5);
        var v = new StreamVerifier(new VerifierOptions());
        chain.ForEach(c => v.Add(c.Payload));

        var outcome = v.Add(chain[2].Payload);

        Assert.Equal(RecordStatus.Duplicate, outcome.Status);
        Assert.Equal(chain[2].Hash, outcome.Hash);
        Assert.Equal(2, outcome.Seq);
    }

    [Fact]
    public void OneChangedByte_BreaksTheLink_AndNothingAfterVerifies()
    {
        using var key = TestKeys.Reference();
        var chain = TestChains.Telemetry(key, 8, every: 3);
        var payloads = chain.Select(c => c.Payload.ToArray()).ToList();
        var text = Encoding.UTF8.GetString(payloads[2]).Replace("\"v\":[61]", "\"v\":[91]", StringComparison.Ordinal);
        payloads[2] = Encoding.UTF8.GetBytes(text);

        var r = Verify(payloads);

        Assert.Equal(1, r.BrokenLinks);
        Assert.Equal(0, r.Verified); // the first checkpoint (seq 3) is the broken link itself
        Assert.False(r.Sound);
        Assert.Contains(r.Problems, p => p.StartsWith("seq 3: broken-link", StringComparison.Ordinal));
    }

    [Fact]
    public void DroppedRecord_IsMissing_AndBlocksVerificationAfterIt()
    {
        using var key = TestKeys.Reference();
        var chain = TestChains.Telemetry(key, 8, every: 3);
        var dropped = chain.Where(c => c.Seq != 5).Select(c => c.Payload);

        var r = Verify(dropped);

        Assert.Equal(1, r.Missing);
        Assert.Equal(2, r.VerifiedThrough); // checkpoint 3 covers 0..2; seq 5 is lost, so 7 and 11 never link
        Assert.True(r.Sound);
    }

    [Fact]
    public void ForgedCheckpoint_IsABadSignature()
    {
        using var key = TestKeys.Reference();
        using var forger = TestKeys.Other();
        var genuine = TestChains.Telemetry(key, 3, every: 100);
        var forged = TestChains.Telemetry(forger, 3, every: 100);

        // Same gw/epoch/content except the genesis key, so only the last checkpoint differs in a way
        // we can splice: take our chain and replace its final checkpoint signature with the forger's.
        var sig = Encoding.UTF8.GetString(forged[^1].Payload);
        var forgedSig = sig[(sig.IndexOf("\"sig\":\"", StringComparison.Ordinal) + 7)..][..132];
        var text = Encoding.UTF8.GetString(genuine[^1].Payload);
        var ownSig = text[(text.IndexOf("\"sig\":\"", StringComparison.Ordinal) + 7)..][..132];
        var payloads = genuine.Select(c => c.Payload).ToList();
        payloads[^1] = Encoding.UTF8.GetBytes(text.Replace(ownSig, forgedSig, StringComparison.Ordinal));

        var r = Verify(payloads);

        Assert.Equal(1, r.BadSigs);
        Assert.Equal(0, r.Verified);
        Assert.Contains(r.Problems, p => p.Contains(VerifierProblems.SignerMismatch, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SecondRecordAtOneSeq_IsAForkOnceCovered_AnUnsignedBranchRecordWhileNot(bool afterTheChain)
    {
        using var key = TestKeys.Reference();
        var chain = TestChains.Telemetry(key, 6, every: 3);
        var twin = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(chain[2].Payload).Replace("\"v\":[61]", "\"v\":[62]", StringComparison.Ordinal));
        var genuine = chain.Select(c => c.Payload);

        var r = Verify(afterTheChain ? genuine.Append(twin) : genuine.Prepend(twin));

        // After the chain, seq 2 is covered: a fork (received). Before, it waits beside the genuine record
        // until checkpoint 3 decides: an unsigned branch record (not received).
        Assert.Equal(afterTheChain ? (1L, 0L, 0L) : (0L, 1L, 0L), (r.Forks, r.UnsignedBranch, r.BrokenLinks));
        Assert.Equal((chain.Count - 1L, chain.Count + (afterTheChain ? 1L : 0L)), (r.Verified, r.Received));
        Assert.False(r.Sound);
    }

    [Fact]
    public void GapStatement_CoversDroppedRecords()
    {
        using var key = TestKeys.Reference();
        var (_, genesis, obs, gap, cp) = ChainWithAGap(key);
        var sent = new[] { genesis, obs[0], obs[4], gap, cp };

        var r = Verify(sent.Reverse().Select(c => c.Payload));

        Assert.Equal((5L, 4L, 1L, 3L, 0L), (r.Received, r.Verified, r.Pending, r.GapCovered, r.Missing));
        Assert.Equal(cp.Seq - 1, r.VerifiedThrough);
        Assert.True(r.Sound);
    }

    [Fact]
    public void DecidedLog_PassesEverySeqAGapStatementCovers_ItsLastToo_AndKeepsTheHashesOfTheRecordsAround()
    {
        // The ingest asks the log which hash to find stored at each decided seq: none for a dropped
        // record, the last one a gap states included (it was never stored either).
        using var key = TestKeys.Reference();
        var (w, genesis, obs, gap, cp) = ChainWithAGap(key);
        var v = new StreamVerifier(new VerifierOptions { LogDecidedLinks = true });
        foreach (var r in new[] { genesis, obs[0], obs[4], gap, cp })
        {
            v.Add(r.Payload);
        }

        var chain = new ChainKey("gw-1", Lane.Telemetry, w.State.Epoch);
        var linked = Enumerable.Range(0, 7).Select(seq => (Seq: seq, Decided: v.TryLinkedHash(chain, seq, out var hash), Hash: hash)).ToList();

        Assert.All(linked, l => Assert.True(l.Decided, $"seq {l.Seq} decided"));
        Assert.Equal([genesis.Hash, obs[0].Hash, null, null, null, obs[4].Hash, gap.Hash], linked.Select(l => l.Hash));
    }

    [Fact]
    public void RecordsEvictedWithTheirCheckpoint_GapStatementAfterTheNextCheckpoint_StillVerifies()
    {
        // The gateway dropped 1..5 unsent (checkpoint 4 among them) and says so in a gap record after
        // checkpoint 9: checkpoint 9's links need the statement of a record it does not cover yet.
        using var key = TestKeys.Reference();
        var w = ChainWriter.StartNew("gw-1", Lane.Telemetry, key, new CheckpointPolicy { MaxRecords = 4, MaxDelay = TimeSpan.FromDays(1) }, GenesisReason.FirstStart, "t", TestChains.T0, ClockQuality.Synced, out var genesis);
        var written = new List<ChainRecord> { genesis };
        for (var i = 0; i < 7; i++)
        {
            written.Add(w.AppendObs(new ObsBody("p", "d", "c", "u", TestChains.T0, 0, [i]), TestChains.T0, ClockQuality.Synced));
            if (w.CheckpointIfDue(TestChains.T0, ClockQuality.Synced) is { } cp)
            {
                written.Add(cp);
            }
        }

        var gap = w.AppendGap(1, 5, written[1].Prev, written[5].Hash, "disk-space", TestChains.T0, ClockQuality.Synced);
        var last = w.Checkpoint(TestChains.T0, ClockQuality.Synced)!;
        Assert.Equal(("checkpoint", "checkpoint"), (written[4].Kind, written[9].Kind));

        var r = Verify(written.Where(c => c.Seq is 0 or > 5).Append(gap).Append(last).Select(c => c.Payload));

        Assert.Equal((last.Seq - 1, 5L, 0L, 0L), (r.VerifiedThrough, r.GapCovered, r.BrokenLinks, r.Missing));
        Assert.True(r.Sound);
    }

    [Theory]
    [InlineData(new long[] { 5 })]
    [InlineData(new long[] { 1, 5 })]
    [InlineData(new long[] { 4, 5 })]
    public void RecordsEvictedButPublishedBeforeTheirDeletion_GapStatementAfterTheNextCheckpoint_StillVerifies(long[] publishedAnyway)
    {
        // Eviction under a disk-space floor: 1..5 are gapped, but some (the last among them) were
        // published before their deletion reached the disk. Their hashes are the ones the gap names,
        // so the chain still verifies through the gap; the copies inside it are counted, not trusted.
        using var key = TestKeys.Reference();
        var (written, gap, last) = EvictedOneToFive(key);

        var r = Verify(written.Where(c => c.Seq is 0 or > 5 || publishedAnyway.Contains(c.Seq)).Append(gap).Append(last).Select(c => c.Payload));

        Assert.Equal((last.Seq - 1, 5L, 0L, 0L), (r.VerifiedThrough, r.GapCovered, r.BrokenLinks, r.Missing));
        Assert.True(r.Sound, string.Join("; ", r.Problems));
    }

    [Theory]
    [InlineData(new long[] { 5 })]
    [InlineData(new long[] { 2, 3, 4, 5 })]
    public void RecordsEvictedButPublishedBeforeTheirDeletion_GapStatementOnTheSignedPath_StillVerifies(long[] publishedAnyway)
    {
        using var key = TestKeys.Reference();
        var (written, gap, last) = EvictedOneToFive(key, statementBeforeNextCheckpoint: true);

        var r = Verify(written.Where(c => c.Seq is 0 or > 5 || publishedAnyway.Contains(c.Seq)).Append(gap).Append(last).Select(c => c.Payload));

        Assert.Equal((last.Seq - 1, 5L, 0L), (r.VerifiedThrough, r.GapCovered, r.BrokenLinks));
        Assert.True(r.Sound, string.Join("; ", r.Problems));
    }

    [Fact]
    public void StrangersRecordAtTheEndOfAGap_IsNotTakenThroughIt()
    {
        // A record at the gap's last seq whose hash is not the one the gap names is not on the chain.
        using var key = TestKeys.Reference();
        var (written, gap, last) = EvictedOneToFive(key);
        var other = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(written[5].Payload).Replace("\"v\":[3]", "\"v\":[999]", StringComparison.Ordinal));
        Assert.NotEqual(written[5].Payload, other);

        var r = Verify(written.Where(c => c.Seq is 0 or > 5).Select(c => c.Payload).Append(other).Append(gap.Payload).Append(last.Payload));

        Assert.Equal((last.Seq - 1, 5L), (r.VerifiedThrough, r.GapCovered)); // the gap's word carries the chain, not the stranger's record
    }

    /// <summary>
    /// Records 1..5 (checkpoint 4 among them) dropped, said by a gap statement written after checkpoint 9
    /// or, with <paramref name="statementBeforeNextCheckpoint"/>, right after seq 6 (so checkpoint 9 signs it).
    /// </summary>
    private static (List<ChainRecord> Written, ChainRecord Gap, ChainRecord Last) EvictedOneToFive(GatewayKey key, bool statementBeforeNextCheckpoint = false)
    {
        var w = ChainWriter.StartNew("gw-1", Lane.Telemetry, key, new CheckpointPolicy { MaxRecords = 4, MaxDelay = TimeSpan.FromDays(1) }, GenesisReason.FirstStart, "t", TestChains.T0, ClockQuality.Synced, out var genesis);
        var written = new List<ChainRecord> { genesis };
        ChainRecord? gap = null;
        for (var i = 0; i < 7; i++)
        {
            written.Add(w.AppendObs(new ObsBody("p", "d", "c", "u", TestChains.T0, 0, [i]), TestChains.T0, ClockQuality.Synced));
            if (statementBeforeNextCheckpoint && written[^1].Seq == 6)
            {
                gap = w.AppendGap(1, 5, written[1].Prev, written[5].Hash, "disk-space", TestChains.T0, ClockQuality.Synced);
            }

            if (w.CheckpointIfDue(TestChains.T0, ClockQuality.Synced) is { } cp)
            {
                written.Add(cp);
            }
        }

        gap ??= w.AppendGap(1, 5, written[1].Prev, written[5].Hash, "disk-space", TestChains.T0, ClockQuality.Synced);
        var last = w.Checkpoint(TestChains.T0, ClockQuality.Synced)!;
        Assert.Equal("checkpoint", written[4].Kind);
        Assert.True(written.Any(r => r.Kind == "checkpoint" && r.Seq > gap.Seq) == statementBeforeNextCheckpoint);
        return (written, gap, last);
    }

    [Fact]
    public void GapStatementNotYetLinked_IsOnlyAClaim_ItsSeqsCountMissing_UntilACheckpointCrossesIt()
    {
        using var key = TestKeys.Reference();
        var w = ChainWriter.StartNew("gw-1", Lane.Telemetry, key, new CheckpointPolicy(), GenesisReason.FirstStart, "t", TestChains.T0, ClockQuality.Synced, out var genesis);
        var obs = Enumerable.Range(0, 3).Select(i => w.AppendObs(new ObsBody("p", "d", "c", "u", TestChains.T0, 0, [i]), TestChains.T0, ClockQuality.Synced)).ToList();
        var gap = w.AppendGap(1, 3, obs[0].Prev, obs[2].Hash, "quota", TestChains.T0, ClockQuality.Synced);
        var cp = w.Checkpoint(TestChains.T0, ClockQuality.Synced)!;

        var claimed = Verify([gap.Payload, cp.Payload]); // genesis not received yet: nothing links the statement to the checkpoint
        var crossed = Verify([gap.Payload, genesis.Payload, cp.Payload]);

        Assert.Equal((0L, 4L), (claimed.GapCovered, claimed.Missing)); // seqs 0-3
        Assert.Equal((3L, 0L, 2L), (crossed.GapCovered, crossed.Missing, crossed.Verified)); // genesis and the statement
    }

    [Fact]
    public void AStrangersGapStatementOverASeqStillInFlight_IsNotCrossedByTheGatewaysCheckpoint_TheRecordVerifiesWhenItArrives()
    {
        // Every hash travels on the broker: seq 3 names seq 2's hash, seq 1's hash is seq 2's prev. While seq 2
        // is late (reordered, or lost and re-sent), anyone can state a gap over it with both copied, before
        // the gateway's checkpoint arrives. The gateway never stated it, so the checkpoint does not pass seq 2
        // on that word: seq 2 stays missing, and is the chain's data when it arrives.
        using var key = TestKeys.Reference();
        using var stranger = TestKeys.Other();
        var w = ChainWriter.StartNew("gw-1", Lane.Telemetry, key, new CheckpointPolicy { MaxRecords = 1_000 }, GenesisReason.FirstStart, "t", TestChains.T0, ClockQuality.Synced, out var genesis);
        var obs = Enumerable.Range(0, 3).Select(i => w.AppendObs(new ObsBody("p", "d", "c", "u", TestChains.T0, 0, [i]), TestChains.T0, ClockQuality.Synced)).ToList();
        var cp = w.Checkpoint(TestChains.T0, ClockQuality.Synced)!;
        var claim = ChainWriter.Resume(new ChainState("gw-1", Lane.Telemetry, obs[2].Epoch, obs[2].Seq, obs[2].Hash, 0, null), stranger, new CheckpointPolicy())
            .AppendGap(obs[1].Seq, obs[1].Seq, obs[1].Prev, obs[1].Hash, "quota", TestChains.T0, ClockQuality.Synced);
        var v = new StreamVerifier(new VerifierOptions { EnrolledAddresses = [TestKeys.ReferenceAddress] });
        foreach (var r in new[] { genesis, obs[0], obs[2], claim, cp })
        {
            v.Add(r.Payload);
        }

        var before = Assert.Single(v.Report());
        Assert.Equal((-1L, 0L, 1L), (before.VerifiedThrough, before.GapCovered, before.Missing));

        Assert.Equal(RecordStatus.New, v.Add(obs[1].Payload).Status);
        var after = Assert.Single(v.Report());
        Assert.Equal((obs[2].Seq, 0L, 0L, 0L), (after.VerifiedThrough, after.GapCovered, after.Missing, after.BrokenLinks));
    }

    [Fact]
    public void BrokenGapStatement_IsABrokenLink()
    {
        using var key = TestKeys.Reference();
        var w = ChainWriter.StartNew("gw-1", Lane.Telemetry, key, new CheckpointPolicy(), GenesisReason.FirstStart, "t", TestChains.T0, ClockQuality.Synced, out var genesis);
        var obs = Enumerable.Range(0, 3).Select(i => w.AppendObs(new ObsBody("p", "d", "c", "u", TestChains.T0, 0, [i]), TestChains.T0, ClockQuality.Synced)).ToList();
        var gap = w.AppendGap(1, 2, new string('e', 64), obs[1].Hash, "quota", TestChains.T0, ClockQuality.Synced);
        var cp = w.Checkpoint(TestChains.T0, ClockQuality.Synced)!;

        var r = Verify([genesis.Payload, obs[2].Payload, gap.Payload, cp.Payload]);

        Assert.Equal(1, r.BrokenLinks);
        Assert.Equal(0, r.Verified);
    }

    [Fact]
    public void RecordsFarAhead_AreRejectedBeyondTheWindow_AndCounted()
    {
        using var key = TestKeys.Reference();
        var chain = TestChains.Telemetry(key, 30, every: 1000);
        var v = new StreamVerifier(new VerifierOptions { ReorderWindow = 8 });
        var outcomes = chain.Skip(1).Select(c => v.Add(c.Payload)).ToList();

        var r = Assert.Single(v.Report());
        Assert.Equal(7, outcomes.Count(o => o.Status == RecordStatus.New)); // seqs 1..7: within 8 of linked seq -1
        Assert.All(outcomes.Skip(7), o => Assert.Equal((RecordStatus.Rejected, VerifierProblems.BeyondWindow), (o.Status, o.Problem)));
        Assert.Equal(chain.Count - 8, r.BeyondWindow);

        // Once the head arrives, the caller re-adds what was refused and everything links.
        v.Add(chain[0].Payload);
        foreach (var c in chain.Skip(8))
        {
            v.Add(c.Payload);
        }

        r = Assert.Single(v.Report());
        Assert.Equal((chain.Count - 1L, 0L), (r.Verified, r.Missing));
    }

    [Fact]
    public void VeryOldRepeat_IsRejectedBehindTheWindow()
    {
        using var key = TestKeys.Reference();
        var chain = TestChains.Telemetry(key, 30, every: 1000);
        var v = new StreamVerifier(new VerifierOptions { RecentWindow = 4 });
        chain.ForEach(c => v.Add(c.Payload));

        Assert.Equal(RecordStatus.Duplicate, v.Add(chain[^2].Payload).Status);
        var old = v.Add(chain[3].Payload);
        Assert.Equal((RecordStatus.Rejected, VerifierProblems.BehindWindow), (old.Status, old.Problem));
    }

    [Fact]
    public void LinkedThrough_IsTheHighestDecidedSeq_MinusOneForAChainItHoldsNothingOf()
    {
        using var key = TestKeys.Reference();
        var chain = TestChains.Telemetry(key, 35, every: 10)[..^1]; // without the final checkpoint: records after the last one
        var v = new StreamVerifier(new VerifierOptions());
        var id = new ChainKey("gw-1", Lane.Telemetry, chain[0].Epoch);
        Assert.Equal(-1, v.LinkedThrough(id));
        chain.ForEach(c => v.Add(c.Payload));

        var last = chain.Last(r => r.Kind == "checkpoint");
        Assert.True(chain[^1].Seq > last.Seq, "records after the last checkpoint");
        Assert.Equal(last.Seq - 1, v.LinkedThrough(id)); // a checkpoint covers the seqs before it, nothing after it is decided
    }

    [Fact]
    public void ABehindWindowRepeat_TheCallerCountsAsADuplicate_MovesFromBehindWindowToDuplicates_AndStaysSoAcrossExport()
    {
        using var key = TestKeys.Reference();
        var chain = TestChains.Telemetry(key, 30, every: 10);
        var v = new StreamVerifier(new VerifierOptions { RecentWindow = 4 });
        chain.ForEach(c => v.Add(c.Payload));
        var id = new ChainKey("gw-1", Lane.Telemetry, chain[0].Epoch);
        var before = v.ReportOf(id)!;

        Assert.Equal(VerifierProblems.BehindWindow, v.Add(chain[3].Payload).Problem);
        Assert.Equal((before.Duplicates, before.BehindWindow + 1), (v.ReportOf(id)!.Duplicates, v.ReportOf(id)!.BehindWindow));
        v.CountBehindAsDuplicate(id);
        v.CountBehindAsDuplicate(id); // only what it refused behind the window: once
        Assert.Equal((before.Duplicates + 1, before.BehindWindow), (v.ReportOf(id)!.Duplicates, v.ReportOf(id)!.BehindWindow));

        var again = new StreamVerifier(new VerifierOptions { RecentWindow = 4 });
        again.ImportChain(v.ExportChain(id));
        Assert.Equal((before.Duplicates + 1, before.BehindWindow), (again.ReportOf(id)!.Duplicates, again.ReportOf(id)!.BehindWindow));
    }

    [Fact]
    public void ExportImport_ContinuesWhereItLeftOff()
    {
        using var key = TestKeys.Reference();
        var chain = TestChains.Telemetry(key, 40, every: 8);
        var first = new StreamVerifier(new VerifierOptions());
        foreach (var c in chain.Take(20).Where(c => c.Seq != 12))
        {
            first.Add(c.Payload);
        }

        var state = first.ExportChain(new ChainKey("gw-1", Lane.Telemetry, "0123456789abcdef0123456789abcdef"));
        Assert.Equal(7, state.LinkedThrough); // checkpoint 8 covers 0..7; 8..11 and 13..19 wait for the next one
        Assert.Equal(11, state.Held.Count);

        var second = new StreamVerifier(new VerifierOptions());
        second.ImportChain(state);
        Assert.Equal(RecordStatus.Duplicate, second.Add(chain[5].Payload).Status);
        foreach (var c in chain.Skip(12))
        {
            second.Add(c.Payload);
        }

        var r = Assert.Single(second.Report());
        Assert.Equal((chain.Count, chain.Count - 1L, 0L, 0L), (r.Received, r.Verified, r.Missing, r.Duplicates - 8));
    }

    [Fact]
    public void ExportImport_OutOfOrderVariantAndMissingSeq_GivesBackEveryHeldRecord_AndContinuesAsBefore()
    {
        // Held records are kept packed where they run in order (HeldTable): the state must still name
        // each one with its own hash and prev, whatever order they came in.
        using var key = TestKeys.Reference();
        var chain = TestChains.Telemetry(key, 40, every: 16);
        var chainKey = new ChainKey("gw-1", Lane.Telemetry, chain[0].Epoch);
        var checkpoints = chain.Where(c => c.Kind == "checkpoint").Select(c => c.Seq).ToList();
        var (decided, second) = (checkpoints[0], checkpoints[1]);
        var (missing, contested) = (decided + 8, decided + 11);
        var forged = Encoding.UTF8.GetBytes(Regex.Replace(Encoding.UTF8.GetString(chain[(int)contested].Payload), "\"v\":\\[\\d+\\]", "\"v\":[999]"));
        Assert.NotEqual(chain[(int)contested].Payload, forged);
        var fed = chain.Take((int)second).Where(c => c.Seq != missing).Select(c => (c.Seq, c.Hash, c.Prev, c.Payload)).ToList();
        (fed[^3], fed[^2]) = (fed[^2], fed[^3]);
        fed.Insert((int)decided + 5, (contested, Convert.ToHexStringLower(SHA256.HashData(forged)), chain[(int)contested - 1].Hash, forged));

        var first = new StreamVerifier(new VerifierOptions { RecentWindow = 64, LogDecidedLinks = true });
        fed.ForEach(f => first.Add(f.Payload));
        var state = first.ExportChain(chainKey);

        Assert.Equal(decided - 1, state.LinkedThrough);
        Assert.Equal(
            fed.Where(f => f.Seq >= decided).Select(f => (f.Seq, f.Hash, f.Prev)).Order(),
            state.Held.Select(h => (h.Seq, h.Hash, h.Prev)).Order());

        var other = new StreamVerifier(new VerifierOptions { RecentWindow = 64, LogDecidedLinks = true });
        other.ImportChain(System.Text.Json.JsonSerializer.Deserialize<ChainVerifierState>(System.Text.Json.JsonSerializer.Serialize(state))!);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(state), System.Text.Json.JsonSerializer.Serialize(other.ExportChain(chainKey)));
        foreach (var c in chain.Where(c => c.Seq == missing || c.Seq >= second))
        {
            Assert.Equal(first.Add(c.Payload), other.Add(c.Payload));
        }

        var r = Assert.Single(other.Report());
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(first.Report()), System.Text.Json.JsonSerializer.Serialize(other.Report()));
        Assert.Equal((chain.Count - 1L, 0L, 0L, 1L), (r.Verified, r.Missing, r.BrokenLinks, r.UnsignedBranch));
        Assert.True(other.TryLinkedHash(chainKey, contested, out var linked));
        Assert.Equal(chain[(int)contested].Hash, linked);
    }

    [Fact]
    public void ExportImport_ForkAtTheHead_GenuineSuccessorStillLinks()
    {
        // A forged record reaches the head first; the genuine one arrives as an alternative. After an
        // export/import (another ingest worker), the next checkpoint must still decide for the genuine one.
        using var key = TestKeys.Reference();
        var chain = TestChains.Telemetry(key, 6, every: 3);
        var forged = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(chain[2].Payload).Replace("\"v\":[61]", "\"v\":[62]", StringComparison.Ordinal));
        var chainKey = new ChainKey("gw-1", Lane.Telemetry, "0123456789abcdef0123456789abcdef");
        var first = new StreamVerifier(new VerifierOptions());
        first.Add(chain[0].Payload);
        first.Add(chain[1].Payload);
        first.Add(forged);
        Assert.Equal(RecordStatus.Alternative, first.Add(chain[2].Payload).Status);

        var json = System.Text.Json.JsonSerializer.Serialize(first.ExportChain(chainKey));
        var second = new StreamVerifier(new VerifierOptions());
        second.ImportChain(System.Text.Json.JsonSerializer.Deserialize<ChainVerifierState>(json)!);
        foreach (var c in chain.Skip(3))
        {
            second.Add(c.Payload);
        }

        var r = Assert.Single(second.Report());
        Assert.Equal((0L, 1L, 0L), (r.Forks, r.UnsignedBranch, r.BrokenLinks));
        Assert.Equal(chain.Count - 1, r.Verified);
    }

    [Fact]
    public void TwoChains_AreReportedSeparately()
    {
        using var key = TestKeys.Reference();
        var t = TestChains.Telemetry(key, 5);
        var a = TestChains.Alarm(key, 3);
        var v = new StreamVerifier(new VerifierOptions());
        foreach (var c in t.Concat(a))
        {
            v.Add(c.Payload);
        }

        var reports = v.Report();
        Assert.Equal([Lane.Telemetry, Lane.Alarm], reports.Select(r => r.Chain.Lane));
        Assert.Equal((7L, 6L), (reports[1].Received, reports[1].Verified));
    }

    [Fact]
    public void ExportedState_SurvivesAJsonRoundTrip_ForTheIngestToPersist()
    {
        using var key = TestKeys.Reference();
        var chain = TestChains.Telemetry(key, 20, every: 8);
        var first = new StreamVerifier(new VerifierOptions());
        foreach (var c in chain.Where(c => c.Seq != 10))
        {
            first.Add(c.Payload);
        }

        var chainKey = new ChainKey("gw-1", Lane.Telemetry, "0123456789abcdef0123456789abcdef");
        var json = System.Text.Json.JsonSerializer.Serialize(first.ExportChain(chainKey));
        var restored = System.Text.Json.JsonSerializer.Deserialize<ChainVerifierState>(json)!;
        var second = new StreamVerifier(new VerifierOptions());
        second.ImportChain(restored);
        second.Add(chain.Single(c => c.Seq == 10).Payload);

        var r = Assert.Single(second.Report());
        Assert.Equal((chain.Count, chain.Count - 1L, 0L), (r.Received, r.Verified, r.Missing));
        Assert.True(r.Sound);
    }

    /// <summary>Genesis 0, obs 1-5, a gap statement at 6 for 2-4 (dropped unsent), checkpoint 7.</summary>
    private static (ChainWriter Writer, ChainRecord Genesis, List<ChainRecord> Obs, ChainRecord Gap, ChainRecord Checkpoint) ChainWithAGap(GatewayKey key)
    {
        var w = ChainWriter.StartNew("gw-1", Lane.Telemetry, key, new CheckpointPolicy { MaxRecords = 1000 }, GenesisReason.FirstStart, "t", TestChains.T0, ClockQuality.Synced, out var genesis);
        var obs = Enumerable.Range(0, 5).Select(i => w.AppendObs(new ObsBody("p", "d", "loinc:8867-4", "/min", TestChains.T0, 0, [i]), TestChains.T0, ClockQuality.Synced)).ToList();
        var gap = w.AppendGap(2, 4, obs[0].Hash, obs[3].Hash, "quota", TestChains.T0, ClockQuality.Synced);
        return (w, genesis, obs, gap, w.Checkpoint(TestChains.T0, ClockQuality.Synced)!);
    }
}
