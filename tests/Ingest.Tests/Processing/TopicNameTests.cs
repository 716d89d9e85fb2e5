namespace EdgeTwin.Ingest.Tests.Processing;

using EdgeTwin.Ingest.Topics;

public sealed class TopicNameTests
{
    [Theory]
    [InlineData("edgetwin/v1/ward7/bed-12/telemetry", "ward7", "bed-12", "Telemetry")]
    [InlineData("edgetwin/v1/ward7/bed-12/alarm", "ward7", "bed-12", "Alarm")]
    [InlineData("edgetwin/v1/home/gw-1/twin/reported", "home", "gw-1", "TwinReported")]
    [InlineData("edgetwin/v1/home/gw-1/status", "home", "gw-1", "Status")]
    public void Parses_GatewayTopics(string topic, string site, string gw, string leaf)
    {
        Assert.True(TopicName.TryParse("edgetwin/v1", topic, out var name));
        Assert.Equal(new TopicName(site, gw, Enum.Parse<TopicLeaf>(leaf)), name);
    }

    [Theory]
    [InlineData("edgetwin/v1/Ward7/bed/telemetry")]
    [InlineData("edgetwin/v1/ward7/bed/receipt")]
    [InlineData("edgetwin/v1/ward7/telemetry")]
    [InlineData("other/v1/ward7/bed/telemetry")]
    [InlineData("edgetwin/v1/ward7/bed/twin/desired")]
    public void Rejects_OtherTopics(string topic) => Assert.False(TopicName.TryParse("edgetwin/v1", topic, out _));

    [Fact]
    public void Probe_IsUnderThePrefix_OnALevelNoSiteCanBe_TheSameForOneClientId_ShapedByNoClientId_AndNeverARecordTopic()
    {
        var topic = TopicName.Probe("edgetwin/v1", "ingest-1");
        Assert.Matches("^edgetwin/v1/ingest\\.probe/[0-9a-f]{16}$", topic);
        Assert.Equal(topic, TopicName.Probe("edgetwin/v1", "ingest-1"));
        Assert.NotEqual(topic, TopicName.Probe("edgetwin/v1", "ingest-2"));
        Assert.Matches("^edgetwin/v1/ingest\\.probe/[0-9a-f]{16}$", TopicName.Probe("edgetwin/v1", "a/+/#"));
        Assert.False(TopicName.TryParse("edgetwin/v1", topic, out _));
        Assert.True(EdgeTwin.Telemetry.Wire.WireNames.IsOtherTopic(topic), "edgetwin capture and verify skip it");
    }

    [Fact]
    public void SharedFilters_UseTheGroupForEveryLeaf() =>
        Assert.Equal(
            ["$share/g1/p/v1/+/+/telemetry", "$share/g1/p/v1/+/+/alarm", "$share/g1/p/v1/+/+/twin/reported", "$share/g1/p/v1/+/+/status"],
            TopicName.SharedFilters("g1", "p/v1"));
}
