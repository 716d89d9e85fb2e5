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

        var verifier = new StreamVerifier(new VerifierOptions
        {
            EnrolledAddresses = [TestKeys.ReferenceAddress],
            RecentWindow = random.Next(1, 70),
            LogDecidedLinks = random.Next(2) == 0,
        });
        var chain = new ChainKey("gw-1", Lane.Telemetry, written[0].Epoch);
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

    [Fact]
    public void DirectEncoding_OfAnImportedStateWithEveryMember_IsTheEncodingOfItsExport()
    {
        var everything = ChainStateCodecTests.Everything() with { HeadPrev = null, HeadAlternative = null };
        var verifier = new StreamVerifier(new VerifierOptions());
        verifier.ImportChain(everything);

        Assert.Equal(ChainStateCodec.Encode(verifier.ExportChain(everything.Chain)), verifier.ExportChainEncoded(everything.Chain));
        Assert.Throws<KeyNotFoundException>(() => verifier.ExportChainEncoded(new ChainKey("gw-none", Lane.Telemetry, everything.Chain.Epoch)));
    }
}
