namespace EdgeTwin.Gateway.Tests.Configuration;

using EdgeTwin.Gateway.Configuration;

public sealed class UplinkOptionsValidatorTests
{
    [Fact]
    public void ReconnectMaxDelayShorterThanMin_FailsNamingBoth()
    {
        var result = new UplinkOptionsValidator().Validate(null, new UplinkOptions { ReconnectMinDelay = TimeSpan.FromSeconds(20), ReconnectMaxDelay = TimeSpan.FromSeconds(5) });

        Assert.True(result.Failed);
        Assert.Contains("Uplink:ReconnectMaxDelay (00:00:05) must not be shorter than Uplink:ReconnectMinDelay (00:00:20)", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void ReceiveStallAfterNotAboveTheProbeInterval_FailsNamingBoth_UnlessProbingIsOff()
    {
        var result = new UplinkOptionsValidator().Validate(null, new UplinkOptions { ReceiveProbeInterval = TimeSpan.FromMinutes(2), ReceiveStallAfter = TimeSpan.FromMinutes(2) });

        Assert.True(result.Failed);
        Assert.Contains("Uplink:ReceiveStallAfter (00:02:00) must be longer than Uplink:ReceiveProbeInterval (00:02:00)", result.FailureMessage, StringComparison.Ordinal);
        Assert.True(new UplinkOptionsValidator().Validate(null, new UplinkOptions { ReceiveProbeInterval = TimeSpan.Zero, ReceiveStallAfter = TimeSpan.FromSeconds(1) }).Succeeded);
        Assert.True(new UplinkOptionsValidator().Validate(null, new UplinkOptions { ReceiveProbeInterval = TimeSpan.FromMinutes(2), ReceiveStallAfter = TimeSpan.FromMinutes(3) }).Succeeded);
        Assert.True(new UplinkOptionsValidator().Validate(null, new UplinkOptions { ReceiveProbeInterval = TimeSpan.FromSeconds(-1) }).Failed);
    }

    [Fact]
    public void Defaults_AreValid() => Assert.True(new UplinkOptionsValidator().Validate(null, new UplinkOptions()).Succeeded);
}
