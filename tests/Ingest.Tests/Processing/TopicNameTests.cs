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
    public void SharedFilters_UseTheGroupForEveryLeaf() =>
        Assert.Equal(
            ["$share/g1/p/v1/+/+/telemetry", "$share/g1/p/v1/+/+/alarm", "$share/g1/p/v1/+/+/twin/reported", "$share/g1/p/v1/+/+/status"],
            TopicName.SharedFilters("g1", "p/v1"));
}
