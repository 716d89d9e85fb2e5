namespace EdgeTwin.Ingest.Tests.Processing;

using System.Text;
using EdgeTwin.Ingest.Processing;
using EdgeTwin.Ingest.Tests.Support;

public sealed class RecordHeaderTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 16, 0, 0, 123, TimeSpan.Zero);

    [Fact]
    public void Reads_TheMembersOfRealRecords()
    {
        using var g = new SimulatedGateway("ward7", "bed-12", T0);
        var genesis = g.All[0];
        Assert.True(RecordHeader.TryParse(genesis.Payload, out var h0, out _));
        Assert.Equal(("bed-12", "telemetry", genesis.Epoch, 0L, "genesis", "first-start"), (h0!.Gw, h0.Lane, h0.Epoch, h0.Seq, h0.Kind, h0.GenesisReason));
        var obs = g.ProduceObs(1, T0)[0];
        Assert.True(RecordHeader.TryParse(obs.Payload, out var h1, out _));
        Assert.Equal((1L, "obs", "p-bed-12", "loinc:8867-4", T0), (h1!.Seq, h1.Kind, h1.Patient, h1.Code, h1.Ts));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("{\"gw\":\"a\",\"lane\":\"telemetry\",\"epoch\":\"e\",\"kind\":\"obs\"}")]
    [InlineData("{\"gw\":\"a\",\"lane\":\"telemetry\",\"epoch\":\"e\",\"seq\":-1,\"kind\":\"obs\"}")]
    [InlineData("{\"gw\":1,\"lane\":\"telemetry\",\"epoch\":\"e\",\"seq\":1,\"kind\":\"obs\"}")]
    public void Malformed_IsRefusedWithAProblem(string text)
    {
        Assert.False(RecordHeader.TryParse(Encoding.UTF8.GetBytes(text), out var h, out var problem));
        Assert.Null(h);
        Assert.StartsWith("malformed", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidUtf8_OrTooDeep_IsRefusedNotThrown()
    {
        Assert.False(RecordHeader.TryParse([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d], out _, out var p1));
        Assert.StartsWith("malformed", p1, StringComparison.Ordinal);
        var deep = Encoding.UTF8.GetBytes(new string('[', 500) + new string(']', 500));
        Assert.False(RecordHeader.TryParse(deep, out _, out var p2));
        Assert.StartsWith("malformed", p2, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"seq\":1,\"prev\":\"ABCDEF\",\"kind\":\"obs\"}", "abcdef")]
    [InlineData("{\"prev\":\"aa\",\"body\":{\"prev\":\"cc\"},\"prev\":\"bb\"}", "bb")] // the last, at the top level only
    [InlineData("{\"prev\":7}", null)]
    [InlineData("{\"seq\":1}", null)]
    [InlineData("[1,2]", null)]
    [InlineData("{\"prev\":\"aa\"", null)] // cut short
    public void ReadPrev_IsTheLastTopLevelPrevAsLowerCase_NullWhenNoneOrMalformed(string text, string? prev) =>
        Assert.Equal(prev, RecordHeader.ReadPrev(Encoding.UTF8.GetBytes(text)));
}
