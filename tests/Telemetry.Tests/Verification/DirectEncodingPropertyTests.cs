namespace EdgeTwin.Telemetry.Tests.Verification;

using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Verification;
using FsCheck.Xunit;

/// <summary>
/// <see cref="StreamVerifier.ExportChainEncoded"/> writes a chain's state from the hashes as the verifier
/// holds them; <see cref="ChainStateCodec.Encode(ChainVerifierState)"/> of <see cref="StreamVerifier.ExportChain"/>
/// writes it from their hex. They must give the same bytes for every state a verifier can reach: chains of
/// random shape (checkpoint cadence, a gap statement over evicted records), strangers' branches (variants at
/// one seq, checkpoints a stranger signed), tampered copies, repeats, any order, a short memory of links.
/// </summary>
public sealed class DirectEncodingPropertyTests
{
    [Property(MaxTest = 120)]
    public bool DirectEncoding_IsTheEncodingOfTheExport_AfterEveryRecord(int seed)
    {
        var random = new Random(seed);
        var (payloads, options, chain) = Delivery(random);
        var verifier = new StreamVerifier(options);
        var compared = 0;
        foreach (var payload in payloads)
        {
            verifier.Add(payload);
            if (!verifier.Holds(chain))
            {
                continue;
            }

            var direct = verifier.ExportChainEncoded(chain);
            var viaHex = ChainStateCodec.Encode(verifier.ExportChain(chain));
            Assert.True(viaHex.AsSpan().SequenceEqual(direct), $"seed {seed}: the encodings differ after {compared + 1} exports ({direct.Length} and {viaHex.Length} bytes)");
            compared++;
        }

        return compared > 0;
    }

    /// <summary>
    /// <see cref="StreamVerifier.ImportChainEncoded"/> reads the stored bytes straight into hashes;
    /// <see cref="StreamVerifier.ImportChain(ChainVerifierState)"/> of <see cref="ChainStateCodec.Decode"/> reads
    /// them through hex. After every record of random chains both give a verifier that exports the same bytes and
    /// reports the same figures, and at random points both take the rest of the records with the same verdicts.
    /// </summary>
    [Property(MaxTest = 80)]
    public bool DirectImport_GivesTheVerifierTheHexImportGives_AfterEveryRecord(int seed)
    {
        var random = new Random(seed);
        var (payloads, options, chain) = Delivery(random);
        var verifier = new StreamVerifier(options);
        var compared = 0;
        for (var i = 0; i < payloads.Count; i++)
        {
            verifier.Add(payloads[i]);
            if (!verifier.Holds(chain))
            {
                continue;
            }

            var stored = verifier.ExportChainEncoded(chain);
            var direct = new StreamVerifier(options);
            direct.ImportChainEncoded(stored);
            var viaHex = new StreamVerifier(options);
            viaHex.ImportChain(ChainStateCodec.Decode(stored));
            Assert.True(viaHex.ExportChainEncoded(chain).AsSpan().SequenceEqual(direct.ExportChainEncoded(chain)), $"seed {seed}: the imports export differently after record {i}");
            SameReport(viaHex.ReportOf(chain), direct.ReportOf(chain));
            compared++;
            if (random.Next(8) != 0)
            {
                continue;
            }

            foreach (var next in payloads.Skip(i + 1))
            {
                Assert.Equal(viaHex.Add(next), direct.Add(next));
            }

            Assert.Equal(viaHex.Report().Count, direct.Report().Count);
            foreach (var (h, d) in viaHex.Report().Zip(direct.Report()))
            {
                SameReport(h, d);
            }
            Assert.True(viaHex.ExportChainEncoded(chain).AsSpan().SequenceEqual(direct.ExportChainEncoded(chain)), $"seed {seed}: the imports went different ways from record {i}");
        }

        return compared > 0;
    }

    [Fact]
    public void DirectImport_OfAStateWithEveryMember_IsTheHexImport()
    {
        // Its highest seq brought down from 9,000,000,000: a report counts the missing seqs up to it one by one
        // (a verifier holds records at most its reorder window ahead, so no real chain has such a gap).
        var everything = ChainStateCodecTests.Everything() with { HighestSeq = 60 };
        var stored = ChainStateCodec.Encode(everything);
        var direct = new StreamVerifier(new VerifierOptions());
        var viaHex = new StreamVerifier(new VerifierOptions());

        direct.ImportChainEncoded(stored);
        viaHex.ImportChain(ChainStateCodec.Decode(stored));

        Assert.Equal(viaHex.ExportChainEncoded(everything.Chain), direct.ExportChainEncoded(everything.Chain));
        SameReport(viaHex.ReportOf(everything.Chain), direct.ReportOf(everything.Chain));
    }

    [Fact]
    public void DirectImport_OfJsonAnOlderIngestStored_IsTheHexImport()
    {
        var everything = ChainStateCodecTests.Everything();
        var json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(everything);
        var direct = new StreamVerifier(new VerifierOptions());
        var viaHex = new StreamVerifier(new VerifierOptions());

        direct.ImportChainEncoded(json);
        viaHex.ImportChain(ChainStateCodec.Decode(json));

        Assert.Equal(viaHex.ExportChainEncoded(everything.Chain), direct.ExportChainEncoded(everything.Chain));
    }

    [Fact]
    public void DirectImport_OfAMalformedHead_IsRefusedAsTheHexImportIs()
    {
        var malformed = ChainStateCodecTests.Everything() with { LinkedThrough = 10, VerifiedThrough = 11 };
        var stored = ChainStateCodec.Encode(malformed);

        var direct = Assert.Throws<ArgumentException>(() => new StreamVerifier(new VerifierOptions()).ImportChainEncoded(stored));
        var viaHex = Assert.Throws<ArgumentException>(() => new StreamVerifier(new VerifierOptions()).ImportChain(ChainStateCodec.Decode(stored)));
        Assert.Equal(viaHex.Message, direct.Message);
        Assert.Contains("malformed head", direct.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DirectEncoding_OfAnImportedStateWithEveryMember_IsTheEncodingOfItsExport()
    {
        var everything = ChainStateCodecTests.Everything() with { HeadPrev = null, HeadAlternative = null };
        var verifier = new StreamVerifier(new VerifierOptions());
        verifier.ImportChain(everything);

        Assert.Equal(ChainStateCodec.Encode(verifier.ExportChain(everything.Chain)), verifier.ExportChainEncoded(everything.Chain));
        Assert.Throws<KeyNotFoundException>(() => verifier.ExportChainEncoded(new ChainKey("gw-none", Lane.Telemetry, everything.Chain.Epoch)));
    }

    /// <summary>
    /// A random chain's records as a stranger on the broker and a lossy, repeating, reordering delivery would
    /// bring them (its shape, a gap statement over evicted records, injected branches, repeats, tampered
    /// copies), with verifier options of a random memory of links.
    /// </summary>
    private static (List<byte[]> Payloads, VerifierOptions Options, ChainKey Chain) Delivery(Random random)
    {
        using var key = TestKeys.Reference();
        using var stranger = TestKeys.Other();
        var shape = ChainShapePropertyTests.Shape.Draw(random);
        var (written, evicted) = ChainShapePropertyTests.Write(key, shape);
        var delivery = written.Where(r => (!evicted.Contains(r.Seq) || shape.PublishedAnyway.Contains(r.Seq)) && random.Next(8) != 0).ToList();
        for (var b = random.Next(0, 4); b > 0; b--)
        {
            var at = written[random.Next(written.Count)];
            delivery.AddRange(InjectedBranchTests.Inject(at, random.Next(1, 5), stranger, checkpoint: random.Next(2) == 0, sample: random.Next(100, 100_000)));
        }

        delivery.AddRange(delivery.Where(_ => random.Next(6) == 0).ToList());
        var payloads = delivery.OrderBy(_ => random.Next()).Select(r => r.Payload).ToList();
        foreach (var i in Enumerable.Range(0, random.Next(0, 4)))
        {
            var tampered = (byte[])payloads[random.Next(payloads.Count)].Clone();
            tampered[random.Next(tampered.Length)] ^= (byte)random.Next(1, 256);
            payloads.Insert(random.Next(payloads.Count + 1), tampered);
        }

        var options = new VerifierOptions
        {
            EnrolledAddresses = [TestKeys.ReferenceAddress],
            RecentWindow = random.Next(1, 70),
            LogDecidedLinks = random.Next(2) == 0,
        };
        return (payloads, options, new ChainKey("gw-1", Lane.Telemetry, written[0].Epoch));
    }

    // A report's problems are a list: compared by content, the rest as the record it is.
    private static void SameReport(ChainReport? expected, ChainReport? actual)
    {
        Assert.NotNull(expected);
        Assert.NotNull(actual);
        Assert.Equal(expected with { Problems = [] }, actual with { Problems = [] });
        Assert.Equal(expected.Problems, actual.Problems);
    }
}
