namespace EdgeTwin.Ingest.Tests.Options;

using EdgeTwin.Ingest.Options;

/// <summary>Bad alarm-reporter settings stop the start with a message naming the setting.</summary>
public sealed class AlarmsOutOptionsTests
{
    private static AlarmManagerOptions Manager(string name = "pager", string host = "am.hospital", int port = 2575) => new() { Name = name, Host = host, Port = port };

    [Fact]
    public void Defaults_NoManagers_LoopbackListenerOff_AreValid()
    {
        var o = new IngestOptions();
        Assert.Empty(o.AlarmManagers);
        Assert.Equal(("127.0.0.1", (int?)null), (o.AlarmsOut.ListenAddress, o.AlarmsOut.ListenPort));
        Assert.True(new IngestOptionsSemanticValidator().Validate(null, o).Succeeded);
        Assert.True(new IngestOptionsValidator().Validate(null, o).Succeeded);
    }

    [Fact]
    public void TwoGoodManagers_AreValid()
    {
        var o = new IngestOptions { AlarmManagers = [Manager(), Manager("badges", "10.0.0.5", 6661)] };
        Assert.True(new IngestOptionsSemanticValidator().Validate(null, o).Succeeded);
    }

    [Theory]
    [InlineData("Pager", "am.hospital", 2575, "Ingest:AlarmManagers:0:Name 'Pager'")]
    [InlineData("pager", "", 2575, "Ingest:AlarmManagers:0:Host is empty")]
    [InlineData("pager", "am.hospital", 0, "Ingest:AlarmManagers:0:Port 0 is not a TCP port")]
    [InlineData("pager", "am.hospital", 70000, "Ingest:AlarmManagers:0:Port 70000 is not a TCP port")]
    public void BadManager_IsRefusedNamingTheSetting(string name, string host, int port, string expected)
    {
        var result = new IngestOptionsSemanticValidator().Validate(null, new IngestOptions { AlarmManagers = [Manager(name, host, port)] });
        Assert.False(result.Succeeded);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void SameManagerNameTwice_IsRefused()
    {
        var result = new IngestOptionsSemanticValidator().Validate(null, new IngestOptions { AlarmManagers = [Manager(), Manager()] });
        Assert.Contains("Ingest:AlarmManagers:1:Name 'pager' is used twice", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void ListenAddressAndPeers_MustBeIpAddresses()
    {
        var o = new IngestOptions();
        o.AlarmsOut.ListenAddress = "localhost";
        o.AlarmsOut.AllowedPeers = ["10.0.0.5", "10.20.0.0/24", "am.hospital"];
        var result = new IngestOptionsSemanticValidator().Validate(null, o);
        Assert.Contains("Ingest:AlarmsOut:ListenAddress 'localhost' is not an IP address", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Ingest:AlarmsOut:AllowedPeers: 'am.hospital' is not an IP address or network", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("'10.0.0.5'", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("'10.20.0.0/24'", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void RetryMaxDelayShorterThanRetryDelay_And_ZeroSendTimeout_AreRefused()
    {
        var o = new IngestOptions();
        o.AlarmsOut.RetryDelay = TimeSpan.FromSeconds(5);
        o.AlarmsOut.RetryMaxDelay = TimeSpan.FromSeconds(1);
        o.AlarmsOut.SendTimeout = TimeSpan.Zero;
        Assert.Contains("RetryMaxDelay must not be shorter", new IngestOptionsSemanticValidator().Validate(null, o).FailureMessage, StringComparison.Ordinal);
        var annotations = new IngestOptionsValidator().Validate(null, o);
        Assert.False(annotations.Succeeded);
        Assert.Contains("SendTimeout", annotations.FailureMessage, StringComparison.Ordinal);
    }
}
