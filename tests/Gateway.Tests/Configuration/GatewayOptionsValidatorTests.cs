namespace EdgeTwin.Gateway.Tests.Configuration;

using EdgeTwin.Gateway.Configuration;

public sealed class GatewayOptionsValidatorTests
{
    [Theory]
    [InlineData("Ward7_Bed12", "sim-ward", "Gateway:Name must match [a-z0-9-]{1,64} (PROTOCOL §1).")]
    [InlineData("", "sim-ward", "Gateway:Name must match [a-z0-9-]{1,64} (PROTOCOL §1).")]
    [InlineData("gw-1", "Ward 7", "Gateway:Site must match [a-z0-9-]{1,64} (PROTOCOL §1).")]
    public void NameOrSiteOutsideTheProtocolAlphabet_FailsWithOneLineNamingTheRule(string name, string site, string message)
    {
        var result = new GatewayOptionsValidator().Validate(null, new GatewayOptions { Name = name, Site = site });

        Assert.True(result.Failed);
        Assert.Contains(message, result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("^", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void SixtyFourCharacterName_IsAccepted_SixtyFiveIsNot()
    {
        Assert.True(new GatewayOptionsValidator().Validate(null, new GatewayOptions { Name = new string('a', 64) }).Succeeded);
        Assert.True(new GatewayOptionsValidator().Validate(null, new GatewayOptions { Name = new string('a', 65) }).Failed);
    }

    [Theory]
    [InlineData("-00:00:01")]
    [InlineData("1.00:00:01")]
    public void ReleaseStartupPagesAfter_NegativeOrBeyondADay_FailsNamingTheSetting(string after)
    {
        var result = new GatewayOptionsValidator().Validate(null, new GatewayOptions { ReleaseStartupPagesAfter = TimeSpan.Parse(after, System.Globalization.CultureInfo.InvariantCulture) });

        Assert.True(result.Failed);
        Assert.Contains("ReleaseStartupPagesAfter", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("00:00:30")]
    [InlineData("1.00:00:00")]
    public void ReleaseStartupPagesAfter_NeverToADay_IsAccepted(string after) =>
        Assert.True(new GatewayOptionsValidator().Validate(null, new GatewayOptions { ReleaseStartupPagesAfter = TimeSpan.Parse(after, System.Globalization.CultureInfo.InvariantCulture) }).Succeeded);
}
