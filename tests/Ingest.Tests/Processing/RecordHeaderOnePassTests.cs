namespace EdgeTwin.Ingest.Tests.Processing;

using System.Text;
using EdgeTwin.Ingest.Processing;
using EdgeTwin.Ingest.Tests.Support;

/// <summary>
/// The one-pass read of a record's header answers exactly as the document read, which decides every case
/// it does not take: real records of every kind, and variants an anonymous publisher could send
/// (members repeated, reordered, escaped, of other types; truncated; not UTF-8). Each case asks both.
/// </summary>
public sealed class RecordHeaderOnePassTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 23, 0, 0, 250, TimeSpan.Zero);

    [Fact]
    public void RealRecordsOfEveryKind_ReadAsTheDocumentReadsThem()
    {
        using var g = new SimulatedGateway("ward7", "bed-3", T0);
        g.ProduceObs(300, T0);
        g.ProduceAlarm(T0);
        g.Seal(T0);
        Assert.Contains(g.All, r => Encoding.UTF8.GetString(r.Payload).Contains("\"kind\":\"checkpoint\"", StringComparison.Ordinal));
        foreach (var r in g.All)
        {
            Same(r.Payload);

            // Every kind but genesis is read in the one pass, not handed to the document read.
            Assert.Equal(r.Seq == 0 ? null : r.Seq, RecordHeader.TryRead(r.Payload)?.Seq);
        }
    }

    [Fact]
    public void EveryTruncation_OfARecord_ReadsAsTheDocumentReadsIt()
    {
        using var g = new SimulatedGateway("ward7", "bed-4", T0);
        var payload = g.ProduceObs(1, T0)[0].Payload;
        for (var n = 0; n <= payload.Length; n++)
        {
            Same(payload[..n]);
        }
    }

    [Theory]
    // Reordered, with unknown members and nested values to skip.
    [InlineData("""{"kind":"obs","seq":4,"x":{"a":[1,{"b":2}]},"epoch":"e","lane":"telemetry","gw":"g","body":{"v":[1,2,3],"patient":"p","code":"c"},"ts":"2026-12-06T23:00:00.250Z"}""")]
    // Repeated members: the last counts, whatever the first said.
    [InlineData("""{"gw":"a","gw":"b","lane":"telemetry","epoch":"e","seq":1,"kind":"obs"}""")]
    [InlineData("""{"gw":"a","gw":7,"lane":"telemetry","epoch":"e","seq":1,"kind":"obs"}""")]
    [InlineData("""{"gw":7,"gw":"a","lane":"telemetry","epoch":"e","seq":1,"kind":"obs"}""")]
    [InlineData("""{"gw":"a","lane":"telemetry","epoch":"e","seq":1,"seq":"2","kind":"obs"}""")]
    [InlineData("""{"gw":"a","lane":"telemetry","epoch":"e","seq":"2","seq":3,"kind":"obs"}""")]
    [InlineData("""{"gw":"a","lane":"telemetry","epoch":"e","seq":1,"kind":"obs","body":{"patient":"p1"},"body":{"code":"c2"}}""")]
    [InlineData("""{"gw":"a","lane":"telemetry","epoch":"e","seq":1,"kind":"obs","body":{"patient":"p1"},"body":[1]}""")]
    [InlineData("""{"gw":"a","lane":"telemetry","epoch":"e","seq":1,"kind":"obs","body":{"patient":"p1","patient":null}}""")]
    [InlineData("""{"gw":"a","lane":"telemetry","epoch":"e","seq":1,"kind":"genesis","kind":"obs"}""")]
    [InlineData("""{"gw":"a","lane":"telemetry","epoch":"e","seq":1,"kind":"obs","kind":"genesis","body":{"reason":"first-start","key":"0xab"}}""")]
    // Escaped member names and values.
    [InlineData("""{"g\u0077":"a","lane":"tele\u006detry","epoch":"e","seq":1,"kind":"obs","body":{"p\u0061tient":"\u00e9"}}""")]
    // Members of other types.
    [InlineData("""{"gw":"a","lane":"telemetry","epoch":"e","seq":1.0,"kind":"obs"}""")]
    [InlineData("""{"gw":"a","lane":"telemetry","epoch":"e","seq":1e2,"kind":"obs"}""")]
    [InlineData("""{"gw":"a","lane":"telemetry","epoch":"e","seq":9223372036854775808,"kind":"obs"}""")]
    [InlineData("""{"gw":"a","lane":"telemetry","epoch":"e","seq":null,"kind":"obs"}""")]
    [InlineData("""{"gw":"a","lane":"telemetry","epoch":"e","seq":{"n":1},"kind":"obs"}""")]
    [InlineData("""{"gw":"a","lane":"telemetry","epoch":"e","seq":1,"kind":"obs","ts":12}""")]
    [InlineData("""{"gw":"a","lane":"telemetry","epoch":"e","seq":1,"kind":"obs","ts":"yesterday"}""")]
    // Time stamps: the protocol's form (read from the bytes) and every other the text read takes or refuses.
    [InlineData("2026-12-06T23:00:00.250Z")]
    [InlineData("2026-12-06T23:00:00Z")]
    [InlineData("2026-12-06T23:00:00.1234567Z")]
    [InlineData("2026-12-06T23:00:00.123456789Z")]
    [InlineData("2026-12-06T23:00:00.9999999999Z")]
    [InlineData("2026-12-06t23:00:00.250z")]
    [InlineData("2026-12-06t23:00:00.250Z")]
    [InlineData("2026-12-06T23:00:00.25aZ")]
    [InlineData("2026-12-06T23:00:00,250Z")]
    [InlineData("2026-12-06T23:00:00.-50Z")]
    [InlineData("2026-12-06T23:00:60.250Z")]
    [InlineData("2026-12-06T23:60:00.250Z")]
    [InlineData("20261206T230000.250Z")]
    [InlineData("2026-12-06 23:00:00.250Z")]
    [InlineData("2026-12-06T23:00Z")]
    [InlineData("2026-12-06Z")]
    [InlineData("2026-12-06T23:00:00.250+01:00")]
    [InlineData("2026-12-06T23:00:00.250")]
    [InlineData("2026-12-31T23:59:60Z")]
    [InlineData("2026-02-30T23:00:00Z")]
    [InlineData("2026-12-06T24:00:00Z")]
    [InlineData("0001-01-01T00:00:00Z")]
    [InlineData("9999-12-31T23:59:59.9999999Z")]
    [InlineData(" 2026-12-06T23:00:00Z")]
    [InlineData("2026-12-06T23:00:00.Z")]
    [InlineData("Z")]
    [InlineData("\\u0032026-12-06T23:00:00Z")]
    [InlineData("2026-12-06T23:00:00\\u005a")]
    [InlineData("""{"gw":"a","lane":"telemetry","epoch":"e","seq":1,"kind":"obs","body":"text"}""")]
    [InlineData("""{"gw":"a","lane":"telemetry","epoch":"e","seq":1,"kind":"obs","body":{"patient":["p"],"code":{"c":1}}}""")]
    [InlineData("""{"gw":"a","lane":"telemetry","epoch":"e","seq":1,"kind":"obs","lane":null}""")]
    // Not an object, empty, trailing text, comments, trailing commas.
    [InlineData("""[{"gw":"a"}]""")]
    [InlineData("")]
    [InlineData("""{"gw":"a","lane":"telemetry","epoch":"e","seq":1,"kind":"obs"} trailing""")]
    [InlineData("""{"gw":"a","lane":"telemetry","epoch":"e","seq":1,"kind":"obs"/*c*/}""")]
    [InlineData("""{"gw":"a","lane":"telemetry","epoch":"e","seq":1,"kind":"obs",}""")]
    public void Variants_ReadAsTheDocumentReadsThem(string text) =>
        Same(Encoding.UTF8.GetBytes(text.StartsWith('{') || text.Length == 0 || text.StartsWith('[')
            ? text
            : $$"""{"gw":"a","lane":"telemetry","epoch":"e","seq":1,"kind":"obs","ts":"{{text}}"}"""));

    [Theory]
    [InlineData("a")]
    [InlineData("b")]
    [InlineData(null)]
    public void TheGatewayTheTopicNames_ChangesNothingButWhichStringIsHeld(string? topicGw)
    {
        var payload = """{"gw":"a","lane":"alarm","epoch":"e","seq":1,"kind":"alarm","ts":"2026-12-06T23:00:00.250Z"}"""u8.ToArray();
        Assert.True(RecordHeader.TryParse(payload, out var h, out _, topicGw));
        Assert.Equal(("a", "alarm", "alarm", T0), (h!.Gw, h.Lane, h.Kind, h.Ts));
        Assert.Equal(topicGw == "a", ReferenceEquals(topicGw, h.Gw));
        Assert.Same(EdgeTwin.Telemetry.Wire.WireNames.Alarm, h.Lane);
    }

    [Fact]
    public void NotUtf8_InAValueOrAName_OrNestedTooDeep_ReadsAsTheDocumentReadsIt()
    {
        var head = Encoding.UTF8.GetBytes("""{"lane":"telemetry","epoch":"e","seq":1,"kind":"obs","gw":" """.TrimEnd());
        Same([.. head, 0xff, 0xfe, .. "\"}"u8]);
        Same([.. "{\"body\":{\""u8, 0xc3, 0x28, .. "\":1},"u8, .. """ "gw":"a","lane":"telemetry","epoch":"e","seq":1,"kind":"obs"}"""u8]);
        Same(Encoding.UTF8.GetBytes("""{"gw":"a","lane":"telemetry","epoch":"e","seq":1,"kind":"obs","body":{"v":""" + new string('[', 200) + new string(']', 200) + "}}"));
    }

    private static void Same(byte[] payload)
    {
        var onePass = Outcome(() => (RecordHeader.TryParse(payload, out var h, out var p), h, p));
        var document = Outcome(() => (RecordHeader.TryParseDocument(payload, out var h, out var p), h, p));
        Assert.Equal(document, onePass);
    }

    private static string Outcome(Func<(bool Ok, RecordHeader? Header, string? Problem)> read)
    {
        try
        {
            var (ok, h, problem) = read();
            return h is null
                ? $"{ok} {problem}"
                : $"{ok} {problem} {h with { Rotation = null }} rotation={h.Rotation} ts={h.Ts?.ToString("O", System.Globalization.CultureInfo.InvariantCulture)}";
        }
        catch (Exception ex)
        {
            return $"threw {ex.GetType().Name}: {ex.Message}";
        }
    }
}
