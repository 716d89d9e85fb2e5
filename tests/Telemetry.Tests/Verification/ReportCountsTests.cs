namespace EdgeTwin.Telemetry.Tests.Verification;

using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Signing;
using EdgeTwin.Telemetry.Verification;
using FsCheck.Xunit;

/// <summary>
/// A chain report counts the missing seqs (above the decided head, up to the highest checkpoint the gateway
/// signed, and not held) and the seqs decided gap statements passed. A gap statement not yet crossed by a
/// valid checkpoint is anyone's claim: the seqs it names count as missing, not as gap-covered, so a
/// stranger's statement cannot hide a real gap from the watchdog (before 2026-12-07 they counted as
/// gap-covered); and a record anyone published beyond the gateway's last signed checkpoint is a claim too,
/// so it cannot make seqs missing (before 2026-12-08 every seq up to the highest seen counted). Held here to
/// the seq-by-seq count, written out below from what the test delivered, after every record of random chains
/// with gaps, strangers' branches and repeats; and a stranger's thousands of gap records neither hide a seq
/// nor make a report take a step per statement.
/// </summary>
public sealed class ReportCountsTests
{
    [Property(MaxTest = 150)]
    public bool MissingAndGapCovered_AreTheSeqBySeqCounts_AfterEveryRecord(int seed)
    {
        var random = new Random(seed);
        using var key = TestKeys.Reference();
        using var stranger = TestKeys.Other();
        var (written, delivery) = Delivery(random, key, stranger);
        var verifier = new StreamVerifier(new VerifierOptions { EnrolledAddresses = [TestKeys.ReferenceAddress], RecentWindow = 64, LogDecidedLinks = true, FromMiddle = random.Next(4) == 0 });
        var chain = new ChainKey("gw-1", Lane.Telemetry, written[0].Epoch);
        var gatewaysCheckpoints = written.Where(r => r.Kind == "checkpoint").Select(r => r.Hash).ToHashSet(StringComparer.Ordinal);
        var signedThrough = -1L; // the highest checkpoint of the gateway's own delivered so far
        var compared = 0;
        foreach (var record in delivery)
        {
            verifier.Add(record.Payload);
            signedThrough = gatewaysCheckpoints.Contains(record.Hash) ? Math.Max(signedThrough, record.Seq) : signedThrough;
            if (verifier.TrackerOf(chain) is not { } tracker)
            {
                continue;
            }

            var (missing, gapCovered) = SeqBySeq(tracker.CountInputs(), signedThrough);
            var report = verifier.ReportOf(chain)!;
            Assert.Equal((missing, gapCovered), (report.Missing, report.GapCovered));
            compared++;
        }

        return compared > 0;
    }

    [Fact]
    public void AStrangersThousandsOfGapRecords_HideNoWithheldSeq_WithoutAStepPerSeqPerStatement()
    {
        using var key = TestKeys.Reference();
        using var stranger = TestKeys.Other();
        var genuine = TestChains.Telemetry(key, 11, every: 4);
        var verifier = new StreamVerifier(new VerifierOptions { EnrolledAddresses = [TestKeys.ReferenceAddress], RecentWindow = 64, LogDecidedLinks = true });
        foreach (var r in genuine)
        {
            verifier.Add(r.Payload);
        }

        // Every third seq withheld, every third a gap record with a range of its own reaching back, from
        // seq 1 + i to the record before the withheld one: each withheld seq lies within the next record's
        // statement (the last one within none). Once each report scanned the statements for every seq
        // neither held nor yet found in one, about statements^2 / 2 steps; then the statements hid every
        // withheld seq but the last from the missing count.
        var w = ChainWriter.Resume(new ChainState("gw-1", genuine[^1].Lane, genuine[^1].Epoch, genuine[^1].Seq, genuine[^1].Hash, 0, null), stranger, new CheckpointPolicy { MaxRecords = 1_000_000 });
        var filler = new string('a', 64);
        for (var i = 0; i < 4_000; i++)
        {
            w.AppendObs(new ObsBody("p-1", "dev-1", "loinc:8867-4", "/min", TestChains.T0, 0, [i]), TestChains.T0, ClockQuality.Synced);
            verifier.Add(w.AppendObs(new ObsBody("p-1", "dev-1", "loinc:8867-4", "/min", TestChains.T0, 0, [i]), TestChains.T0, ClockQuality.Synced).Payload);
            verifier.Add(w.AppendGap(1 + i, w.State.Seq - 2, filler, filler, "quota", TestChains.T0, ClockQuality.Synced).Payload);
        }

        var chain = new ChainKey("gw-1", Lane.Telemetry, genuine[0].Epoch);
        var strangers = verifier.ReportOf(chain)!;
        Assert.Equal((0L, 0L), (strangers.Missing, strangers.GapCovered)); // nothing the gateway signed reaches past seq 10

        // The gateway's checkpoint at the end: every seq below it was made, so each withheld one is missing.
        var signed = ChainWriter.Resume(w.State, key, new CheckpointPolicy()).Checkpoint(TestChains.T0, ClockQuality.Synced)!;
        verifier.Add(signed.Payload);
        var inputs = verifier.TrackerOf(chain)!.CountInputs();
        Assert.Equal(4_000, inputs.PendingGaps.Length);
        var report = verifier.ReportOf(chain)!;
        Assert.Equal(SeqBySeq(inputs, signed.Seq), (report.Missing, report.GapCovered));
        Assert.Equal((4_000L, 0L), (report.Missing, report.GapCovered)); // every withheld seq: no statement was crossed
    }

    /// <summary>
    /// A random chain (gaps stated, records evicted, some published anyway) delivered with a fifth of its
    /// records lost, strangers' branches and gap records, and repeats, in random order.
    /// </summary>
    internal static (List<ChainRecord> Written, List<ChainRecord> Delivery) Delivery(Random random, GatewayKey key, GatewayKey stranger)
    {
        var shape = ChainShapePropertyTests.Shape.Draw(random);
        var (written, evicted) = ChainShapePropertyTests.Write(key, shape);
        var delivery = written.Where(r => (!evicted.Contains(r.Seq) || shape.PublishedAnyway.Contains(r.Seq)) && random.Next(5) != 0).ToList();
        for (var b = random.Next(0, 4); b > 0; b--)
        {
            delivery.AddRange(InjectedBranchTests.Inject(written[random.Next(written.Count)], random.Next(1, 5), stranger, checkpoint: random.Next(2) == 0, sample: random.Next(100, 100_000)));
        }

        delivery.AddRange(StrangersGaps(written[random.Next(written.Count)], random.Next(0, 12), random, stranger));
        delivery.AddRange(delivery.Where(_ => random.Next(6) == 0).ToList());
        return (written, [.. delivery.OrderBy(_ => random.Next())]);
    }

    /// <summary>The counts one seq at a time, up to the decided head or the gateway's highest checkpoint delivered (<paramref name="signedThrough"/>), whichever is higher.</summary>
    private static (long Missing, long GapCovered) SeqBySeq((long From, long LinkedThrough, long HighestSeq, long[] Held, GapStatement[] PendingGaps, long DecidedGapCovered) c, long signedThrough)
    {
        var held = c.Held.ToHashSet();
        var missing = 0L;
        for (var s = c.From; s <= Math.Max(c.LinkedThrough, signedThrough); s++)
        {
            if (!held.Contains(s))
            {
                missing++;
            }
        }

        return (missing, c.DecidedGapCovered);
    }

    /// <summary>A stranger's records after <paramref name="at"/>, some of them gap records with ranges of their own, some withheld.</summary>
    internal static IEnumerable<ChainRecord> StrangersGaps(ChainRecord at, int count, Random random, ICheckpointSigner stranger)
    {
        var w = ChainWriter.Resume(new ChainState("gw-1", at.Lane, at.Epoch, at.Seq, at.Hash, 0, null), stranger, new CheckpointPolicy { MaxRecords = 1_000_000 });
        var filler = new string('b', 64);
        for (var i = 0; i < count; i++)
        {
            var obs = w.AppendObs(new ObsBody("p-1", "dev-1", "loinc:8867-4", "/min", TestChains.T0, 0, [random.Next(1000)]), TestChains.T0, ClockQuality.Synced);
            if (random.Next(3) != 0)
            {
                yield return obs;
            }

            var to = w.State.Seq;
            var from = random.Next(1, (int)Math.Max(1, to) + 1);
            yield return w.AppendGap(from, Math.Max(from, to - random.Next(0, 3)), filler, filler, "quota", TestChains.T0, ClockQuality.Synced);
        }
    }
}
