namespace EdgeTwin.Telemetry.Tests.Wire;

using EdgeTwin.Telemetry.Wire;

/// <summary>
/// What <c>edgetwin capture</c> and <c>edgetwin verify</c> skip as never carrying a record: a gateway's
/// documents and statements (PROTOCOL §2), and the ingest's and the gateways' receive-path probes.
/// </summary>
public sealed class OtherTopicTests
{
    [Theory]
    [InlineData("edgetwin/v1/ward7/bed-12/status")]
    [InlineData("edgetwin/v1/ward7/bed-12/twin/reported")]
    [InlineData("edgetwin/v1/ward7/bed-12/twin/desired")]
    [InlineData("edgetwin/v1/ward7/bed-12/receipt")]
    [InlineData("edgetwin/v1/ward7/bed-12/resend")]
    [InlineData("edgetwin/v1/ward7/bed-12/alarm-status")]
    [InlineData("edgetwin/v1/ingest.probe/0123456789abcdef")]
    [InlineData("edgetwin/v1/gateway.probe/bed-12")]
    [InlineData("site/prefix/gateway.probe/bed-12")]
    public void DocumentsStatementsAndProbes_AreOtherTopics(string topic) => Assert.True(WireNames.IsOtherTopic(topic));

    [Theory]
    [InlineData("edgetwin/v1/ward7/bed-12/telemetry")]
    [InlineData("edgetwin/v1/ward7/bed-12/alarm")]
    [InlineData("edgetwin/v1/ingest.probe")]
    [InlineData("edgetwin/v1/gateway.probe/bed-12/telemetry")]
    [InlineData("edgetwin/v1/ward7/gateway.probe-x/telemetry")]
    [InlineData("gateway.probe/x")]
    [InlineData("")]
    [InlineData(null)]
    public void RecordTopicsAndLookAlikes_AreNot(string? topic) => Assert.False(WireNames.IsOtherTopic(topic));
}
