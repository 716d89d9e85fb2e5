namespace EdgeTwin.Telemetry.Tests.Verification;

using System.Text;
using System.Text.Json;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Verification;

public sealed class ChainStateCodecTests
{
    private static readonly ChainKey Chain = new("gw-1", Lane.Telemetry, "0123456789abcdef0123456789abcdef");

    /// <summary>Every member set, including the ones only old or unusual states carry.</summary>
    internal static ChainVerifierState Everything() => new(
        new ChainKey("ward7-bed12", Lane.Alarm, "fedcba9876543210fedcba9876543210"),
        "0x1234567890abcdef1234567890abcdef12345678",
        41,
        new string('a', 64),
        33,
        Broken: true,
        Unenrolled: false,
        HighestSeq: 9_000_000_000,
        new ChainCounters(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
        [
            new HeldRecordState(42, new string('b', 64), new string('a', 64), "obs", null, null, null, null),
            new HeldRecordState(42, new string('c', 64), new string('a', 64), "obs", null, null, null, null),
            new HeldRecordState(43, new string('d', 64), new string('b', 64), "gap", null, null, null, new GapStatement(44, 50, new string('d', 64), new string('e', 64))),
            new HeldRecordState(51, new string('f', 64), new string('e', 64), "checkpoint", null, "0xabc", null, null),
            new HeldRecordState(52, new string('0', 64), new string('f', 64), "checkpoint", null, null, "bad-sig: v out of range", null),
            new HeldRecordState(53, new string('1', 64), new string('0', 64), "genesis", "0x99", null, null, null),
        ],
        [new(38, new string('9', 64)), new(39, null), new(40, new string('8', 64)), new(41, new string('a', 64))],
        ["seq 7: broken-link: x", "seq 9: bad-sig: ü"],
        HeadPrev: new string('7', 64),
        HeadAlternative: new string('6', 64),
        Start: 5,
        BeforeStart: -1);

    private static string Json(ChainVerifierState s) => JsonSerializer.Serialize(s);

    [Fact]
    public void EveryMember_SurvivesEncodeDecode()
    {
        var state = Everything();

        var decoded = ChainStateCodec.Decode(ChainStateCodec.Encode(state));

        Assert.Equal(Json(state), Json(decoded));
    }

    [Fact]
    public void ARealChainsState_DecodesToWhatWasExported_AndVerificationContinues()
    {
        using var key = TestKeys.Reference();
        var chain = TestChains.Telemetry(key, 40, every: 8);
        var first = new StreamVerifier(new VerifierOptions());
        foreach (var c in chain.Take(20))
        {
            if (c.Seq is not 12 and not 15)
            {
                first.Add(c.Payload);
            }
        }

        var exported = first.ExportChain(Chain);
        var decoded = ChainStateCodec.Decode(ChainStateCodec.Encode(exported));
        Assert.Equal(Json(exported), Json(decoded));

        var second = new StreamVerifier(new VerifierOptions());
        second.ImportChain(decoded);
        foreach (var c in chain.Skip(12))
        {
            second.Add(c.Payload);
        }

        var r = Assert.Single(second.Report());
        Assert.Equal((chain.Count - 1L, 0L, 0L), (r.Verified, r.Missing, r.BrokenLinks));
    }

    [Fact]
    public void JsonAStoreWroteBefore_IsStillRead()
    {
        var state = Everything();

        var decoded = ChainStateCodec.Decode(Encoding.UTF8.GetBytes(Json(state)));

        Assert.Equal(Json(state), Json(decoded));
    }

    [Theory]
    [InlineData("Chain")]
    [InlineData("HeadHash")]
    [InlineData("Counters")]
    [InlineData("Held")]
    [InlineData("Recent")]
    [InlineData("Problems")]
    public void JsonWithoutAMember_IsRefusedNamingIt_BeforeAnyImport(string member)
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(Json(Everything()))!.AsObject();
        json.Remove(member);
        var bytes = Encoding.UTF8.GetBytes(json.ToJsonString());

        var decode = Assert.Throws<InvalidDataException>(() => ChainStateCodec.Decode(bytes));
        var import = Assert.Throws<InvalidDataException>(() => new StreamVerifier(new VerifierOptions()).ImportChainEncoded(bytes));
        Assert.Contains($"lacks {member}", decode.Message, StringComparison.Ordinal);
        Assert.Equal(decode.Message, import.Message);
    }

    [Theory]
    [InlineData("Held", "[null]", "Held[].Kind")]
    [InlineData("Problems", "[null]", "Problems[]")]
    [InlineData("Chain", "{\"Lane\":0,\"Epoch\":\"e\"}", "Chain.Gw or Chain.Epoch")]
    public void JsonWithANullInside_IsRefusedNamingIt(string member, string value, string named)
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(Json(Everything()))!.AsObject();
        json[member] = System.Text.Json.Nodes.JsonNode.Parse(value);

        var ex = Assert.Throws<InvalidDataException>(() => ChainStateCodec.Decode(Encoding.UTF8.GetBytes(json.ToJsonString())));
        Assert.Equal($"stored chain state (JSON) lacks {named}", ex.Message);
    }

    [Fact]
    public void Encoded_IsLessThanAThirdOfTheJson_ForAChainHoldingRecords()
    {
        using var key = TestKeys.Reference();
        var chain = TestChains.Telemetry(key, 200, every: 100);
        var v = new StreamVerifier(new VerifierOptions { RecentWindow = 64 });
        foreach (var c in chain.Take(180))
        {
            v.Add(c.Payload);
        }

        var state = v.ExportChain(Chain);
        Assert.True(state.Held.Count >= 70, $"{state.Held.Count} held");
        Assert.Equal(64, state.Recent.Count);

        var compact = ChainStateCodec.Encode(state).Length;
        var json = Encoding.UTF8.GetByteCount(Json(state));

        Assert.True(compact * 3 < json, $"compact {compact} bytes, JSON {json} bytes");
        // A hash and a few bytes per held record (its prev is the hash before it), a hash and two bytes per remembered link.
        Assert.True(compact < (state.Held.Count * 42) + (state.Recent.Count * 35) + 200, $"compact {compact} bytes for {state.Held.Count} held, {state.Recent.Count} recent");
    }

    [Fact]
    public void Empty_IsRefused()
    {
        var ex = Assert.Throws<InvalidDataException>(() => ChainStateCodec.Decode([]));
        Assert.Contains("empty", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void AnUnknownVersion_IsRefused_NamingTheHeader(byte version)
    {
        var bytes = ChainStateCodec.Encode(Everything());
        bytes[3] = version;

        var ex = Assert.Throws<InvalidDataException>(() => ChainStateCodec.Decode(bytes));
        Assert.Contains($"004553{version:X2}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StatesAreWrittenInVersion2_SoAWorkerKnowingOnlyVersion1RefusesThem_AndVersion1ReadsTheSame()
    {
        // Version 2 lists only the remembered links not at rest in the ingest's store: a reader of version 1
        // only would take the seqs at rest for seqs passed by a gap statement, so it must not read it at all.
        var bytes = ChainStateCodec.Encode(Everything());
        var first = bytes.ToArray();
        first[3] = 1;

        Assert.Equal([0, (byte)'E', (byte)'S', 2], bytes[..4]);
        Assert.Equal(ChainStateCodec.Encode(ChainStateCodec.Decode(bytes)), ChainStateCodec.Encode(ChainStateCodec.Decode(first)));
    }

    [Fact]
    public void EveryTruncation_IsRefused()
    {
        var bytes = ChainStateCodec.Encode(Everything());

        for (var n = 1; n < bytes.Length; n++)
        {
            Assert.Throws<InvalidDataException>(() => ChainStateCodec.Decode(bytes.AsSpan(0, n)));
        }
    }

    [Fact]
    public void TrailingBytes_AreRefused()
    {
        var bytes = ChainStateCodec.Encode(Everything());

        var ex = Assert.Throws<InvalidDataException>(() => ChainStateCodec.Decode([.. bytes, 0]));
        Assert.Contains("1 bytes after its end", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ACountLargerThanTheBytes_IsRefusedBeforeAllocating()
    {
        // Header, gw "g", lane 0, epoch "e", no key, then a made-up state whose held count is 2^31-1.
        byte[] bytes = [0, (byte)'E', (byte)'S', 1, 1, (byte)'g', 0, 1, (byte)'e', 0, 0, .. new byte[32], 0, 0, 0, 0, 0, .. new byte[15], 0xFF, 0xFF, 0xFF, 0xFF, 0x07];

        var ex = Assert.Throws<InvalidDataException>(() => ChainStateCodec.Decode(bytes));
        Assert.Contains("claims 2147483647 entries", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownHeldRecordFlags_AreRefused()
    {
        var state = new ChainVerifierState(new ChainKey("g", Lane.Telemetry, "e"), null, 0, new string('a', 64), 0, false, false, 0,
            new ChainCounters(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), [new HeldRecordState(1, new string('b', 64), new string('a', 64), "obs", null, null, null, null)], [], []);
        var bytes = ChainStateCodec.Encode(state);
        const int FlagsAt = 64; // header 4, gw 2, lane 1, epoch 2, key 1, linked 1, head 32, verified 1, flags 1, highest/start/before 3, counters 15, held count 1
        Assert.Equal(0, bytes[FlagsAt]);
        bytes[FlagsAt] = 0x80;

        var ex = Assert.Throws<InvalidDataException>(() => ChainStateCodec.Decode(bytes));
        Assert.Contains("unknown held-record flags 80", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFirstHeldRecordLinkingToTheOneBeforeIt_IsRefused_ForThereIsNone()
    {
        var state = new ChainVerifierState(new ChainKey("g", Lane.Telemetry, "e"), null, 0, new string('a', 64), 0, false, false, 0,
            new ChainCounters(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), [new HeldRecordState(1, new string('b', 64), new string('a', 64), "obs", null, null, null, null)], [], []);
        var bytes = ChainStateCodec.Encode(state);
        const int FlagsAt = 64; // as in UnknownHeldRecordFlags_AreRefused
        bytes[FlagsAt] = 1; // "its prev is the hash written just before": none was, and its own prev is no longer in the bytes
        var shorter = bytes.Take(FlagsAt + 2 + 32).Concat(bytes.Skip(FlagsAt + 2 + 32 + 32)).ToArray();

        var decode = Assert.Throws<InvalidDataException>(() => ChainStateCodec.Decode(shorter));
        var import = Assert.Throws<InvalidDataException>(() => new StreamVerifier(new VerifierOptions()).ImportChainEncoded(shorter));
        Assert.Contains("first held record (seq 1) links to a record before it, and there is none", decode.Message, StringComparison.Ordinal);
        Assert.Equal(decode.Message, import.Message);
    }

    [Fact]
    public void NotJsonAndNotCompact_IsRefused()
    {
        var ex = Assert.Throws<InvalidDataException>(() => ChainStateCodec.Decode("{\"Chain\":"u8));
        Assert.Contains("neither the compact form nor JSON", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AHashThatIsNotHex_IsNotEncoded()
    {
        var state = Everything() with { HeadHash = "not-a-hash" };

        var ex = Assert.Throws<ArgumentException>(() => ChainStateCodec.Encode(state));
        Assert.Contains("not-a-hash", ex.Message, StringComparison.Ordinal);
    }
}
