namespace EdgeTwin.Telemetry.Tests.Verification;

using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Signing;
using EdgeTwin.Telemetry.Verification;
using FsCheck.Xunit;

/// <summary>
/// Chains of random shape, as a gateway writes them (any checkpoint cadence, a run of records evicted
/// behind a gap statement written later, some of them published before their deletion), delivered
/// in any order with repeats: the verifier's verdict is always the same, a sound chain verified
/// through its last checkpoint, nothing missing, every dropped record named by the gap.
/// </summary>
public sealed class ChainShapePropertyTests
{
    [Property(MaxTest = 200)]
    public bool RandomShape_AnyOrderWithRepeats_IsSoundAndVerifiedThroughTheLastCheckpoint(int seed)
    {
        var random = new Random(seed);
        var shape = Shape.Draw(random);
        using var key = TestKeys.Reference();
        var (written, evicted) = Write(key, shape);
        var delivered = written.Where(r => !evicted.Contains(r.Seq) || shape.PublishedAnyway.Contains(r.Seq)).ToList();
        delivered.AddRange(delivered.Where(_ => random.Next(6) == 0).ToList()); // QoS 1 repeats
        var shuffled = delivered.OrderBy(_ => random.Next()).ToList();

        var inOrder = Verify(delivered.OrderBy(r => r.Seq));
        var anyOrder = Verify(shuffled);

        var last = written[^1];
        var gapExpected = evicted.Count - evicted.Count(shape.PublishedAnyway.Contains);
        var detail = $"{shape with { PublishedAnyway = [] }} published anyway [{string.Join(",", shape.PublishedAnyway)}], last {last.Seq}; in order: {Describe(inOrder)}; any order: {Describe(anyOrder)}";
        Assert.True(Same(inOrder, anyOrder, exact: shape.PublishedAnyway.Count == 0), detail);
        Assert.True(anyOrder.Sound && anyOrder.Missing == 0 && anyOrder.VerifiedThrough == last.Seq - 1, detail);
        Assert.True(shape.PublishedAnyway.Count > 0 || anyOrder.GapCovered == gapExpected, detail);
        return true;
    }

    private static ChainReport Verify(IEnumerable<ChainRecord> records)
    {
        var verifier = new StreamVerifier(new VerifierOptions());
        foreach (var record in records)
        {
            verifier.Add(record.Payload);
        }

        return Assert.Single(verifier.Report());
    }

    private static string Describe(ChainReport r) =>
        $"received {r.Received}, verified {r.Verified} through {r.VerifiedThrough}, missing {r.Missing}, gap-covered {r.GapCovered}, sound {r.Sound} {string.Join("; ", r.Problems)}";

    /// <summary>
    /// The same verdict. Where records named by a gap were published anyway, whether each counts as
    /// verified or as gap-covered (and a late repeat as received) depends on whether it arrived before
    /// or after the gap was decided; the chain's extent and everything accounted for do not.
    /// </summary>
    private static bool Same(ChainReport a, ChainReport b, bool exact) =>
        (a.VerifiedThrough, a.Missing, a.Sound, a.Verified + a.GapCovered) == (b.VerifiedThrough, b.Missing, b.Sound, b.Verified + b.GapCovered)
        && (!exact || (a.Received, a.Verified, a.GapCovered) == (b.Received, b.Verified, b.GapCovered));

    /// <summary>Writes the chain with the real writer; returns it and the seqs its gap statement names.</summary>
    internal static (List<ChainRecord> Written, HashSet<long> Evicted) Write(GatewayKey key, Shape shape)
    {
        var policy = new CheckpointPolicy { MaxRecords = shape.Cadence, MaxDelay = TimeSpan.FromDays(1) };
        var w = ChainWriter.StartNew("gw-1", Lane.Telemetry, key, policy, GenesisReason.FirstStart, "test", TestChains.T0, ClockQuality.Synced, out var genesis);
        var written = new List<ChainRecord> { genesis };
        var evicted = new HashSet<long>();
        for (var i = 0; i < shape.Records; i++)
        {
            var t = TestChains.T0.AddMilliseconds(10 * (i + 1));
            written.Add(w.AppendObs(new ObsBody("p-1", "dev-1", "mdc:131330", "mV", t, 4, [i]), t, ClockQuality.Synced));
            if (i == shape.GapAfter && shape.EvictFrom is { } from && shape.EvictTo is { } to && to < written.Count)
            {
                written.Add(w.AppendGap(from, to, written[(int)from].Prev, written[(int)to].Hash, "disk-space", t, ClockQuality.Synced));
                evicted.UnionWith(Enumerable.Range((int)from, (int)(to - from + 1)).Select(s => (long)s));
            }

            if (w.CheckpointIfDue(t, ClockQuality.Synced) is { } cp)
            {
                written.Add(cp);
            }
        }

        if (w.Checkpoint(TestChains.T0.AddHours(1), ClockQuality.Synced) is { } last)
        {
            written.Add(last); // none when the last record written was a checkpoint
        }

        return (written, evicted);
    }

    /// <summary>How one random chain is made.</summary>
    internal sealed record Shape(int Records, int Cadence, long? EvictFrom, long? EvictTo, int GapAfter, HashSet<long> PublishedAnyway)
    {
        public static Shape Draw(Random random)
        {
            var records = random.Next(1, 60);
            var cadence = random.Next(1, 12);
            if (records < 6 || random.Next(3) == 0)
            {
                return new Shape(records, cadence, null, null, -1, []);
            }

            // Evict a run of early records (checkpoints among them, by seq), said after a few more records.
            long from = random.Next(1, records / 2);
            var to = from + random.Next(0, records / 3);
            var gapAfter = random.Next(records / 2 + records / 3, records);
            var anyway = new HashSet<long>();
            if (random.Next(2) == 0)
            {
                // Published before the deletion reached the disk: the last of the run, and maybe others.
                anyway.Add(to);
                for (var s = from; s < to; s++)
                {
                    if (random.Next(3) == 0)
                    {
                        anyway.Add(s);
                    }
                }
            }

            return new Shape(records, cadence, from, to, gapAfter, anyway);
        }
    }
}
