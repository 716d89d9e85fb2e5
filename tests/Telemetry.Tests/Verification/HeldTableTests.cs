namespace EdgeTwin.Telemetry.Tests.Verification;

using EdgeTwin.Telemetry.Verification;

/// <summary>
/// The held-record table keeps in-order plain records packed, each one's prev being the hash before it:
/// whatever happens to the run, every seq must give back exactly the records put there.
/// </summary>
public sealed class HeldTableTests
{
    private static readonly Hash32 Before = H(999);

    private static Hash32 H(long n) => new((ulong)n, 0x1111, 0x2222, (ulong)n * 7);

    private static HeldRecord Rec(long hash, Hash32 prev, string kind = "obs") => new() { Hash = H(hash), Prev = prev, Kind = kind };

    /// <summary>seq -> hash seq * 10, each linking to the one before, the first to <see cref="Before"/>.</summary>
    private static HeldTable InOrder(long from, long to)
    {
        var t = new HeldTable();
        for (var s = from; s <= to; s++)
        {
            t.Set(s, Rec(s * 10, s == from ? Before : H((s - 1) * 10)));
        }

        return t;
    }

    private static (Hash32 Hash, Hash32 Prev, string Kind) At(HeldTable t, long seq)
    {
        Assert.True(t.TryGetValue(seq, out var r), $"seq {seq} not held");
        Assert.Null(r.Variants);
        return (r.Hash, r.Prev, r.Kind);
    }

    [Fact]
    public void InOrderRecords_ArePacked_AndEachGivesBackItsOwnHashAndPrev()
    {
        var t = InOrder(5, 104);

        Assert.Equal((100, 100), (t.Count, t.RunCount));
        Assert.Equal((H(50), Before, "obs"), At(t, 5));
        for (var s = 6L; s <= 104; s++)
        {
            Assert.Equal((H(s * 10), H((s - 1) * 10), "obs"), At(t, s));
        }

        Assert.False(t.ContainsKey(4));
        Assert.False(t.ContainsKey(105));
        Assert.Equal(5, t.MinKey());
    }

    [Fact]
    public void RemoveFirstOfRun_TakesOnlyTheRunsFirstRecordWithThatHash_AndTheNextKeepsItsPrev()
    {
        var t = InOrder(5, 9);
        t.Set(12, Rec(120, H(777)));                     // kept apart

        Assert.False(t.RemoveFirstOfRun(5, H(51)));      // another hash
        Assert.False(t.RemoveFirstOfRun(6, H(60)));      // not the run's first
        Assert.False(t.RemoveFirstOfRun(12, H(120)));    // not in the run
        Assert.False(t.RemoveFirstOfRun(4, H(40)));      // not held
        Assert.Equal((6, 5), (t.Count, t.RunCount));

        Assert.True(t.RemoveFirstOfRun(5, H(50)));
        Assert.False(t.ContainsKey(5));
        Assert.Equal((H(60), H(50), "obs"), At(t, 6));  // its prev is the hash of the one removed
        for (var s = 6L; s <= 9; s++)
        {
            Assert.True(t.RemoveFirstOfRun(s, H(s * 10)));
        }

        Assert.Equal((1, 0), (t.Count, t.RunCount));
        Assert.Equal([12L], t.Ordered().Select(e => e.Key));
        t.Set(13, Rec(130, H(120)));                     // a run starts again after it emptied
        Assert.Equal((H(130), H(120), "obs"), At(t, 13));
    }

    [Fact]
    public void RecordsArrivingBeforeTheirPredecessor_JoinTheRunWhenItArrives()
    {
        var t = InOrder(0, 3);
        t.Set(6, Rec(60, H(50)));
        t.Set(5, Rec(50, H(40)));
        Assert.Equal(4, t.RunCount);

        t.Set(4, Rec(40, H(30)));

        Assert.Equal((7, 7), (t.Count, t.RunCount));
        Assert.Equal((H(50), H(40), "obs"), At(t, 5));
        Assert.Equal((H(60), H(50), "obs"), At(t, 6));
        Assert.Equal([0L, 1, 2, 3, 4, 5, 6], t.Ordered().Select(e => e.Key));
    }

    [Fact]
    public void ARecordNotLinkingToTheRunsLast_KeepsItsOwnPrev()
    {
        var t = InOrder(0, 3);

        t.Set(4, Rec(40, H(777)));
        t.Set(5, Rec(50, H(40)));

        Assert.Equal(4, t.RunCount);
        Assert.Equal((H(40), H(777), "obs"), At(t, 4));
        Assert.Equal((H(50), H(40), "obs"), At(t, 5));
    }

    [Fact]
    public void AVariantAtAPackedSeq_KeepsBothRecords_AndEveryOtherSeqAsItWas()
    {
        var t = InOrder(10, 20);

        t.AddVariant(15, Rec(555, H(140)));

        Assert.Equal((11, 0), (t.Count, t.RunCount));
        Assert.True(t.TryGetValue(15, out var first));
        Assert.Equal([(H(150), H(140)), (H(555), H(140))], first.All.Select(r => (r.Hash, r.Prev)));
        Assert.Equal((H(100), Before, "obs"), At(t, 10));
        Assert.Equal((H(160), H(150), "obs"), At(t, 16));
    }

    [Fact]
    public void RemovingTheFirst_LeavesTheNextRecordsPrevAsItWas()
    {
        var t = InOrder(10, 20);

        Assert.True(t.Remove(10, out var removed));
        Assert.True(t.Remove(11, out var second));

        Assert.Equal((H(100), Before), (removed.Hash, removed.Prev));
        Assert.Equal((H(110), H(100)), (second.Hash, second.Prev));
        Assert.Equal((9, 9), (t.Count, t.RunCount));
        Assert.Equal((H(120), H(110), "obs"), At(t, 12));
        Assert.Equal(12, t.MinKey());
    }

    [Fact]
    public void RemovingInTheMiddleOrAtTheEnd_LeavesEveryOtherSeqAsItWas()
    {
        var t = InOrder(10, 20);

        Assert.True(t.Remove(20));
        Assert.True(t.Remove(15));
        Assert.False(t.Remove(15));

        Assert.Equal(9, t.Count);
        Assert.False(t.ContainsKey(15));
        Assert.False(t.ContainsKey(20));
        Assert.Equal((H(100), Before, "obs"), At(t, 10));
        Assert.Equal((H(160), H(150), "obs"), At(t, 16));
        Assert.Equal((H(190), H(180), "obs"), At(t, 19));
    }

    [Fact]
    public void ReplacingAPackedRecord_LeavesTheNextRecordsPrevAsItWas()
    {
        var t = InOrder(10, 20);

        t.Set(15, Rec(555, H(140)));

        Assert.Equal((H(555), H(140), "obs"), At(t, 15));
        Assert.Equal((H(160), H(150), "obs"), At(t, 16));
        Assert.Equal(11, t.Count);
    }

    [Fact]
    public void ReplacingAPackedRecordWithItsOwnValues_KeepsItPacked()
    {
        var t = InOrder(10, 20);

        t.Set(15, Rec(150, H(140)));

        Assert.Equal(11, t.RunCount);
        Assert.Equal((H(150), H(140), "obs"), At(t, 15));
    }

    [Fact]
    public void SeqsNotHeld_AreNotReported_AndOrderIsBySeq()
    {
        var t = InOrder(3, 5);
        t.Set(9, Rec(90, H(80)));
        t.Set(1, Rec(10, H(0)));
        t.Set(7, Rec(70, H(60)));

        Assert.Equal([1L, 3, 4, 5, 7, 9], t.Ordered().Select(e => e.Key));
        Assert.Equal([1L, 3, 4, 5, 7, 9], t.Keys.Order());
        Assert.Equal(1, t.MinKey());
        Assert.False(t.ContainsKey(6));
        Assert.False(t.TryGetValue(8, out var none));
        Assert.Null(none);
        Assert.Equal((H(90), H(80), "obs"), At(t, 9));
    }

    [Fact]
    public void CheckpointsGapsAndGenesis_AreNeverPacked_AndKeepWhatTheyCarry()
    {
        var t = new HeldTable();
        var genesis = new HeldRecord { Hash = H(0), Prev = Hash32.Zero, Kind = "genesis", GenesisKey = "0xabc" };
        var checkpoint = new HeldRecord { Hash = H(20), Prev = H(10), Kind = "checkpoint", Signer = "0xabc" };
        var gap = new HeldRecord { Hash = H(30), Prev = H(20), Kind = "gap", Gap = new GapStatement(31, 40, "f", "l") };
        t.Set(0, genesis);
        t.Set(1, Rec(10, H(0)));
        t.Set(2, checkpoint);
        t.Set(3, gap);
        t.Set(4, Rec(40, H(30), "event"));

        Assert.Equal(5, t.Count);
        Assert.Equal("0xabc", t[0].GenesisKey);
        Assert.Equal(("0xabc", H(10)), (t[2].Signer, t[2].Prev));
        Assert.Equal(new GapStatement(31, 40, "f", "l"), t[3].Gap);
        Assert.Equal((H(40), H(30), "event"), At(t, 4));
    }

    [Fact]
    public void TrimmingAfterRemovals_KeepsEveryRecord()
    {
        var t = InOrder(0, 299);
        for (var s = 0L; s < 256; s++)
        {
            t.Remove(s);
        }

        t.TrimExcess();
        t.Set(300, Rec(3000, H(2990)));

        Assert.Equal((45, 45), (t.Count, t.RunCount));
        Assert.Equal((H(2560), H(2550), "obs"), At(t, 256));
        Assert.Equal((H(3000), H(2990), "obs"), At(t, 300));
    }

    [Fact]
    public void RecordsOutsideTheRun_OneOrMany_AreEachKeptRemovedAndReplacedOnTheirOwn()
    {
        // One record outside the run is kept in a field, more in a dictionary: every way between the two.
        var t = InOrder(10, 12);
        var checkpoint = new HeldRecord { Hash = H(130), Prev = H(120), Kind = "checkpoint", Signer = "0xabc" };
        t.Set(13, checkpoint);
        Assert.True(t.Remove(13, out var removed));
        Assert.Same(checkpoint, removed);
        Assert.False(t.ContainsKey(13));
        Assert.False(t.Remove(13));
        Assert.Equal(3, t.Count);

        t.Set(13, checkpoint);
        t.Set(13, Rec(131, H(120), "event"));
        t.Set(20, Rec(200, H(190)));
        t.Set(25, Rec(250, H(240)));
        Assert.True(t.Remove(25));
        Assert.True(t.Remove(13));
        t.TrimExcess();
        t.Set(30, Rec(300, H(290)));

        Assert.Equal([10L, 11, 12, 20, 30], t.Ordered().Select(e => e.Key));
        Assert.False(t.ContainsKey(13));
        Assert.False(t.ContainsKey(25));
        Assert.Equal((H(200), H(190), "obs"), At(t, 20));
        Assert.Equal((H(300), H(290), "obs"), At(t, 30));
        Assert.Equal(10, t.MinKey());
    }

    [Theory]
    [InlineData(1, 60)]
    [InlineData(2, 60)]
    [InlineData(3, 60)]
    [InlineData(4, 8)]
    [InlineData(5, 8)]
    [InlineData(6, 3)]
    public void RandomChanges_HoldExactlyWhatAPlainDictionaryHolds(int seed, int seqs)
    {
        // The model: what a seq holds, as a list of (hash, prev, kind); no packing.
        var model = new Dictionary<long, List<(Hash32 Hash, Hash32 Prev, string Kind)>>();
        var t = new HeldTable();
        var random = new Random(seed);
        var next = 1L;
        for (var step = 0; step < 3000; step++)
        {
            var seq = (long)random.Next(0, seqs);
            // Mostly records linking to what the model holds just before, as a chain arrives.
            var prev = model.TryGetValue(seq - 1, out var below) && random.Next(4) > 0 ? below[random.Next(below.Count)].Hash : H(random.Next(1, 1000) * 1000);
            var kind = random.Next(10) == 0 ? "event" : "obs";
            var op = random.Next(10);
            if (!model.TryGetValue(seq, out var there))
            {
                if (op < 8)
                {
                    var hash = next++;
                    t.Set(seq, Rec(hash, prev, kind));
                    model[seq] = [(H(hash), prev, kind)];
                }
            }
            else if (op < 2)
            {
                var hash = next++;
                t.AddVariant(seq, Rec(hash, prev, kind));
                there.Add((H(hash), prev, kind));
            }
            else if (op < 5)
            {
                Assert.True(t.Remove(seq, out var removed));
                Assert.Equal(there, removed.All.Select(r => (r.Hash, r.Prev, r.Kind)));
                model.Remove(seq);
            }
            else if (op < 7)
            {
                // As a decision keeps only some of a seq's records: the first kept with the others as its variants.
                var keep = there.Where((_, i) => i % 2 == step % 2).ToList();
                if (keep.Count == 0)
                {
                    continue;
                }

                Assert.True(t.TryGetValue(seq, out var first));
                var records = first.All.Where(r => keep.Contains((r.Hash, r.Prev, r.Kind))).ToList();
                records[0].Variants = records.Count > 1 ? records.Skip(1).ToList() : null;
                t.Set(seq, records[0]);
                model[seq] = keep;
            }
            else if (op >= 7)
            {
                t.TrimExcess();
            }

            Assert.Equal(model.Count, t.Count);
            foreach (var (s, records) in model)
            {
                Assert.True(t.TryGetValue(s, out var first), $"step {step}: seq {s} lost");
                Assert.Equal(records, first.All.Select(r => (r.Hash, r.Prev, r.Kind)));
            }

            Assert.Equal(model.Keys.Order(), t.Ordered().Select(e => e.Key));
        }
    }
}
