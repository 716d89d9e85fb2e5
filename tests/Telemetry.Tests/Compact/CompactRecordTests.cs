namespace EdgeTwin.Telemetry.Tests.Compact;

using System.Text;
using System.Text.Json;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Compact;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Verification;

/// <summary><c>obs-compact</c> records: written as documented, verified beside plain ones, refused by name when malformed.</summary>
public sealed class CompactRecordTests
{
    private static readonly DateTimeOffset T = TestChains.T0;

    private const string Good = "{\"etp\":1,\"gw\":\"gw-1\",\"lane\":\"telemetry\",\"epoch\":\"0123456789abcdef0123456789abcdef\",\"seq\":1,\"prev\":\"" +
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"ts\":\"2026-11-27T16:00:00.000Z\",\"clock\":\"synced\",\"kind\":\"obs-compact\"," +
        "\"body\":{\"patient\":\"p-1\",\"device\":\"mon-1\",\"streams\":[{\"code\":\"loinc:8867-4\",\"unit\":\"/min\",\"q\":1,\"t0\":\"2026-11-27T16:00:00.000Z\",\"dt\":1000,\"n\":5,\"d\":\"kQEDAQAG\"}]}}";

    private static CompactObsBody Vitals(DateTimeOffset t0) => new("p-3f9a2c", "sim-1", [
        new CompactStream("loinc:8867-4", "/min", Quantum.Parse("1"), t0, 1000, [72, 73, 73, null, 70]),
        new CompactStream("loinc:8310-5", "Cel", Quantum.Parse("0.01"), t0.AddMilliseconds(500), 1000, [37.12, 37.125, -0.005, 36.9]),
    ]);

    [Fact]
    public void AppendObsCompact_WritesTheDocumentedBody_MembersInOrder()
    {
        using var key = TestKeys.Reference();
        var w = ChainWriter.StartNew("gw-1", Lane.Telemetry, key, new CheckpointPolicy(), GenesisReason.FirstStart, "t", T, ClockQuality.Synced, out _);

        var r = w.AppendObsCompact(Vitals(T), T, ClockQuality.Synced);

        Assert.Equal(RecordKinds.ObsCompact, r.Kind);
        var text = ReferenceVectors.Text(r.Payload);
        Assert.EndsWith(
            "\"kind\":\"obs-compact\",\"body\":{\"patient\":\"p-3f9a2c\",\"device\":\"sim-1\",\"streams\":[" +
            "{\"code\":\"loinc:8867-4\",\"unit\":\"/min\",\"q\":1,\"t0\":\"2026-11-27T16:00:00.000Z\",\"dt\":1000,\"n\":5,\"d\":\"kQEDAQAG\"}," +
            "{\"code\":\"loinc:8310-5\",\"unit\":\"Cel\",\"q\":0.01,\"t0\":\"2026-11-27T16:00:00.500Z\",\"dt\":1000,\"n\":4,\"d\":\"gToDhDrXOQ\"}]}}",
            text,
            StringComparison.Ordinal);
        Assert.True(ChainWriter.EstimateObsCompactSize(Vitals(T)) >= r.Payload.Length);
    }

    [Fact]
    public void ReadingTheWrittenBody_GivesTheQuantisedSamples()
    {
        using var key = TestKeys.Reference();
        var w = ChainWriter.StartNew("gw-1", Lane.Telemetry, key, new CheckpointPolicy(), GenesisReason.FirstStart, "t", T, ClockQuality.Synced, out _);
        var r = w.AppendObsCompact(Vitals(T), T, ClockQuality.Synced);
        using var doc = JsonDocument.Parse(r.Payload);

        var body = CompactBodyReader.TryRead(Encoding.UTF8.GetBytes(doc.RootElement.GetProperty("body").GetRawText()), out var problem);

        Assert.Null(problem);
        Assert.Equal(("p-3f9a2c", "sim-1", 2), (body!.Patient, body.Device, body.Streams.Count));
        Assert.Equal([72, 73, 73, null, 70], body.Streams[0].Values);
        Assert.Equal([37.12, 37.13, -0.01, 36.9], body.Streams[1].Values);
        Assert.Equal((T.AddMilliseconds(500), 1000.0, "0.01"), (body.Streams[1].T0, body.Streams[1].Dt, body.Streams[1].Q.Text));
    }

    [Fact]
    public void CompactAndPlainRecords_VerifyInOneChain()
    {
        using var key = TestKeys.Reference();
        var w = ChainWriter.StartNew("gw-1", Lane.Telemetry, key, new CheckpointPolicy(), GenesisReason.FirstStart, "t", T, ClockQuality.Synced, out var g);
        List<ChainRecord> records = [g, w.AppendObsCompact(Vitals(T), T, ClockQuality.Synced), w.AppendObs(new ObsBody("p-3f9a2c", "sim-1", "mdc:131330", "mV", T, 4, [0.1, 0.2]), T, ClockQuality.Synced)];
        records.Add(w.Checkpoint(T, ClockQuality.Synced)!);
        var v = new StreamVerifier(new VerifierOptions());

        Assert.All(records, r => Assert.NotEqual(RecordStatus.Rejected, v.Add(r.Payload).Status));
        Assert.Equal((4L, 3L), (v.Report()[0].Received, v.Report()[0].Verified));
    }

    [Fact]
    public void BodiesEtp1CannotCarry_AreRefused_AndChangeNothing()
    {
        using var key = TestKeys.Reference();
        var w = ChainWriter.StartNew("gw-1", Lane.Telemetry, key, new CheckpointPolicy(), GenesisReason.FirstStart, "t", T, ClockQuality.Synced, out _);
        var q = Quantum.Parse("1");

        Assert.Throws<ArgumentException>(() => w.AppendObsCompact(new CompactObsBody("p", "d", []), T, ClockQuality.Synced));
        Assert.Throws<ArgumentException>(() => w.AppendObsCompact(new CompactObsBody("p", "d", [new CompactStream("c", "u", q, T, 0, [])]), T, ClockQuality.Synced));
        Assert.Throws<ArgumentException>(() => w.AppendObsCompact(new CompactObsBody("p", "d", [new CompactStream("c", "u", q, T, -1, [1])]), T, ClockQuality.Synced));
        Assert.Throws<ArgumentException>(() => w.AppendObsCompact(new CompactObsBody("p", "d", [new CompactStream("c", "u", q, T, 0, [1e300])]), T, ClockQuality.Synced));
        Assert.Equal(0, w.State.Seq);
    }

    [Fact]
    public void GoodTemplate_IsAccepted() =>
        Assert.Equal(RecordStatus.New, new StreamVerifier(new VerifierOptions()).Add(Encoding.UTF8.GetBytes(Good)).Status);

    [Theory]
    [InlineData("\"d\":\"kQEDAQAG\"", "\"d\":\"kQEDAQAG==\"", "bad-compact:base64")]
    [InlineData("\"d\":\"kQEDAQAG\"", "\"d\":\"gA\"", "bad-compact:varint")]
    [InlineData("\"d\":\"kQEDAQAG\"", "\"d\":\"_________38\"", "bad-compact:range")]
    [InlineData("\"n\":5", "\"n\":4", "bad-compact:count")]
    [InlineData("\"n\":5", "\"n\":0", "bad-compact:n")]
    [InlineData("\"n\":5", "\"n\":5.0", "bad-compact:n")]
    [InlineData("\"q\":1", "\"q\":0", "bad-compact:q")]
    [InlineData("\"q\":1", "\"q\":1e0", "bad-compact:q")]
    [InlineData("\"q\":1", "\"q\":\"1\"", "bad-compact:q")]
    [InlineData("\"q\":1,", "", "bad-compact:q")]
    [InlineData("\"dt\":1000", "\"dt\":-1", "bad-compact:dt")]
    [InlineData("\"t0\":\"2026-11-27T16:00:00.000Z\"", "\"t0\":\"2026-02-30T16:00:00.000Z\"", "bad-compact:t0")]
    [InlineData("\"code\":\"loinc:8867-4\"", "\"code\":\"\"", "bad-compact:code")]
    [InlineData("\"unit\":\"/min\",", "\"unit\":\"/min\",\"unit\":\"/min\",", "bad-compact:unit")]
    [InlineData("\"patient\":\"p-1\",", "", "bad-compact:patient")]
    [InlineData("\"device\":\"mon-1\"", "\"device\":7", "bad-compact:device")]
    [InlineData("\"streams\":[{", "\"streams\":[],\"x\":[{", "bad-compact:streams")]
    [InlineData("\"streams\":[{", "\"streams\":[1,{", "bad-compact:streams")]
    public void MalformedCompactBody_IsRejectedWithANamedProblem(string from, string to, string expected)
    {
        var text = Good.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(Good, text);
        var v = new StreamVerifier(new VerifierOptions());

        var o = v.Add(Encoding.UTF8.GetBytes(text));

        Assert.Equal((RecordStatus.Rejected, expected), (o.Status, o.Problem));
        Assert.Equal((1L, 0L), (v.Report()[0].Rejected, v.Report()[0].Received));
    }
}
