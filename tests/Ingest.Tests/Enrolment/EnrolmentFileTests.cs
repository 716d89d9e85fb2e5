namespace EdgeTwin.Ingest.Tests.Enrolment;

using System.Text;
using EdgeTwin.Ingest.Enrolment;

public sealed class EnrolmentFileTests
{
    private const string A = "0x1111111111111111111111111111111111111111";
    private const string B = "0xAbCdEf0000000000000000000000000000000002";

    [Fact]
    public void Valid_GivesEveryGatewayAndRevocation_WithItsReason()
    {
        var e = Parse($$$"""{"gateways":{"bed-1":"{{{A}}}","bed-2":"{{{B}}}"},"revoked":[{"address":"{{{B.ToLowerInvariant()}}}","reason":"stolen"},{"address":"{{{A}}}"}]}""");

        Assert.Equal(new Dictionary<string, string> { ["bed-1"] = A, ["bed-2"] = B }, e.Gateways);
        Assert.Equal("stolen", e.Revoked[B]);
        Assert.Equal("revoked", e.Revoked[A]);
    }

    [Fact]
    public void EmptyObject_EnrolsNoneAndRevokesNone()
    {
        var e = Parse("{}");
        Assert.Empty(e.Gateways);
        Assert.Empty(e.Revoked);
    }

    [Theory]
    [InlineData("not json", "not JSON")]
    [InlineData("[]", "one JSON object")]
    [InlineData("""{"gateway":{}}""", "unknown member \"gateway\"")]
    [InlineData("""{"gateways":[]}""", "\"gateways\" must be an object")]
    [InlineData("""{"gateways":{"Bed_1":"0x1111111111111111111111111111111111111111"}}""", "'Bed_1' is not a gateway name")]
    [InlineData("""{"gateways":{"bed-1":"0x11"}}""", "gateways.bed-1: \"0x11\" is not an address")]
    [InlineData("""{"gateways":{"bed-1":42}}""", "gateways.bed-1: 42 is not an address")]
    [InlineData("""{"gateways":{"bed-1":"0x1111111111111111111111111111111111111111","bed-1":"0x2222222222222222222222222222222222222222"}}""", "'bed-1' is named twice")]
    [InlineData("""{"revoked":{}}""", "\"revoked\" must be an array")]
    [InlineData("""{"revoked":["0x1111111111111111111111111111111111111111"]}""", "revoked[0]: needs \"address\"")]
    [InlineData("""{"revoked":[{"reason":"x"}]}""", "revoked[0]: needs \"address\"")]
    [InlineData("""{"revoked":[{"address":"0x1111111111111111111111111111111111111111","reason":""}]}""", "revoked[0].reason must be a non-empty string")]
    [InlineData("""{"revoked":[{"address":"0x1111111111111111111111111111111111111111","when":"now"}]}""", "revoked[0]: unknown member \"when\"")]
    [InlineData("""{"gateways":{},}""", "not JSON")]
    public void Unusable_IsRefusedWithTheReason(string json, string reason)
    {
        var ex = Assert.Throws<EnrolmentFileException>(() => Parse(json));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LargerThanTheLimit_IsRefusedUnread()
    {
        var ex = Assert.Throws<EnrolmentFileException>(() => EnrolmentFile.Parse(new byte[EnrolmentFile.MaxBytes + 1]));
        Assert.Contains("larger than", ex.Message, StringComparison.Ordinal);
    }

    private static EnrolmentEntries Parse(string json) => EnrolmentFile.Parse(Encoding.UTF8.GetBytes(json));
}
