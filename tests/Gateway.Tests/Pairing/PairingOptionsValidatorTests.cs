namespace EdgeTwin.Gateway.Tests.Pairing;

using EdgeTwin.Gateway.Pairing;

public sealed class PairingOptionsValidatorTests
{
    [Theory]
    [InlineData("bluetooth0", null, 10, "Pairing:Adapter 'bluetooth0' is not an adapter name like hci0")]
    [InlineData("hci0", "/run/dbus/system_bus_socket", 10, "Pairing:Bus '/run/dbus/system_bus_socket' is not a D-Bus address")]
    [InlineData("hci0", null, 0, "Pairing:ScanSeconds must be 1-60, got 0")]
    [InlineData("hci1", null, 61, "Pairing:ScanSeconds must be 1-60, got 61")]
    public void ABadSetting_FailsTheStartNamingTheKey(string adapter, string? bus, int seconds, string failure)
    {
        var result = new PairingOptionsValidator().Validate(null, new PairingOptions { Adapter = adapter, Bus = bus, ScanSeconds = seconds });

        Assert.True(result.Failed);
        Assert.Contains(failure, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_AndAPrivateBus_AreValid()
    {
        Assert.True(new PairingOptionsValidator().Validate(null, new PairingOptions()).Succeeded);
        Assert.True(new PairingOptionsValidator().Validate(null, new PairingOptions { Adapter = "hci1", Bus = "unix:path=/run/dbus/system_bus_socket", ScanSeconds = 60 }).Succeeded);
    }
}
