namespace EdgeTwin.Gateway.Tests.Uplink;

using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Uplink;
using EdgeTwin.Telemetry.Wire;
using Microsoft.Extensions.Options;

public sealed class UplinkTopicsTests
{
    [Fact]
    public void Probe_IsTheGatewaysOwn_OutsideItsProtocolTopics_AndNeverARecordTopic()
    {
        var topics = new UplinkTopics(Options.Create(new GatewayOptions { Name = "bed-12", Site = "ward7" }), Options.Create(new UplinkOptions()));

        Assert.Equal("edgetwin/v1/gateway.probe/bed-12", topics.Probe);
        Assert.False(topics.Probe.StartsWith(topics.Base + "/", StringComparison.Ordinal));
        Assert.True(WireNames.IsOtherTopic(topics.Probe), "edgetwin capture and verify skip it");
    }
}
