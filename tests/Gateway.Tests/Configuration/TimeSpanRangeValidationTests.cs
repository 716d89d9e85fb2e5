namespace EdgeTwin.Gateway.Tests.Configuration;

using EdgeTwin.Gateway.Configuration;

/// <summary>
/// The TimeSpan ranges on the options, checked by the generated validators without a TypeConverter
/// (a NativeAOT build has none to rely on): the bounds are inclusive and a failure names the setting and its range.
/// </summary>
public sealed class TimeSpanRangeValidationTests
{
    [Fact]
    public void CommitIntervalAboveItsRange_FailsNamingTheSettingAndTheRange()
    {
        var result = new OutboxOptionsValidator().Validate(null, new OutboxOptions { CommitInterval = TimeSpan.FromSeconds(5) + TimeSpan.FromTicks(1) });

        Assert.True(result.Failed);
        Assert.Contains("The field OutboxOptions.CommitInterval must be between 00:00:00.0010000 and 00:00:05.", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void CommitIntervalBelowItsRange_Fails()
    {
        var result = new OutboxOptionsValidator().Validate(null, new OutboxOptions { CommitInterval = TimeSpan.FromMilliseconds(1) - TimeSpan.FromTicks(1) });

        Assert.True(result.Failed);
        Assert.Contains("OutboxOptions.CommitInterval", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void CommitIntervalOnEitherBound_IsValid()
    {
        Assert.True(new OutboxOptionsValidator().Validate(null, new OutboxOptions { CommitInterval = TimeSpan.FromMilliseconds(1) }).Succeeded);
        Assert.True(new OutboxOptionsValidator().Validate(null, new OutboxOptions { CommitInterval = TimeSpan.FromSeconds(5) }).Succeeded);
    }

    [Fact]
    public void ReconnectMinDelayAboveItsRange_FailsNamingTheSettingAndTheRange()
    {
        var result = new UplinkOptionsValidator().Validate(null, new UplinkOptions { ReconnectMinDelay = TimeSpan.FromMinutes(11), ReconnectMaxDelay = TimeSpan.FromMinutes(11) });

        Assert.True(result.Failed);
        Assert.Contains("The field UplinkOptions.ReconnectMinDelay must be between 00:00:00.0100000 and 00:10:00.", result.FailureMessage, StringComparison.Ordinal);
    }
}
