namespace EdgeTwin.Gateway.Tests.Configuration;

using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Storage;
using EdgeTwin.Gateway.Tests.Support;
using EdgeTwin.Telemetry.Signing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public class EnvironmentValidatorTests
{
    [Fact]
    public void Validate_DefaultsInWritableDirectory_Succeeds_AndCreatesNothing()
    {
        using var temp = new TempDirectory();
        var result = Validate(new GatewayOptions { DataDirectory = temp.Sub("data") });
        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.False(Directory.Exists(temp.Sub("data")));
    }

    [Fact]
    public void Validate_KeyFileMode0644_FailsNamingGatewayKeyFile()
    {
        using var temp = new TempDirectory();
        var path = temp.Sub("gw.key");
        using (var key = GatewayKey.Generate())
        {
            key.SaveToFile(path);
        }

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var result = Validate(new GatewayOptions { DataDirectory = temp.Path, KeyFile = path });
        Assert.False(result.Succeeded);
        Assert.Contains("Gateway:KeyFile", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("644", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UnreadableKeyFile_FailsNamingGatewayKeyFile()
    {
        using var temp = new TempDirectory();
        var path = temp.Sub("gw.key");
        Directory.CreateDirectory(path); // a directory cannot be read as a file, even by root
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var result = Validate(new GatewayOptions { DataDirectory = temp.Path, KeyFile = path });
        Assert.False(result.Succeeded);
        Assert.Contains("Gateway:KeyFile", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MissingConfiguredKeyFile_Fails()
    {
        using var temp = new TempDirectory();
        var result = Validate(new GatewayOptions { DataDirectory = temp.Path, KeyFile = temp.Sub("nope.key") });
        Assert.False(result.Succeeded);
        Assert.Contains("Gateway:KeyFile", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("does not exist", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/proc/edgetwin-test-data")]
    [InlineData("/etc/hostname/data")]
    public void Validate_DataDirectoryNotWritable_FailsNamingGatewayDataDirectory(string dir)
    {
        var result = Validate(new GatewayOptions { DataDirectory = dir });
        Assert.False(result.Succeeded);
        Assert.Contains("Gateway:DataDirectory", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UnknownBrokerScheme_FailsNamingUplinkBroker()
    {
        using var temp = new TempDirectory();
        var result = Validate(new GatewayOptions { DataDirectory = temp.Path }, new UplinkOptions { Broker = "amqp://broker:5672" });
        Assert.False(result.Succeeded);
        Assert.Contains("Uplink:Broker", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("amqp", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TlsFilesWithPlainMqtt_Fails()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Sub("ca.pem"), "x");
        var result = Validate(new GatewayOptions { DataDirectory = temp.Path }, new UplinkOptions { Broker = "mqtt://b:1883", CaFile = temp.Sub("ca.pem") });
        Assert.False(result.Succeeded);
        Assert.Contains("Uplink:CaFile", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PasswordOverPlainMqttOffThisBox_FailsUnlessAllowed()
    {
        using var temp = new TempDirectory();
        var gateway = new GatewayOptions { DataDirectory = temp.Path };
        var refused = Validate(gateway, new UplinkOptions { Broker = "mqtt://10.0.0.5:1883", Username = "gw", Password = "pw" });
        Assert.False(refused.Succeeded);
        Assert.Contains("Uplink:AllowPlainPassword=true", refused.FailureMessage, StringComparison.Ordinal);
        Assert.True(Validate(gateway, new UplinkOptions { Broker = "mqtt://10.0.0.5:1883", Username = "gw", Password = "pw", AllowPlainPassword = true }).Succeeded);
        Assert.True(Validate(gateway, new UplinkOptions { Broker = "mqtt://127.0.0.1:1883", Username = "gw", Password = "pw" }).Succeeded);
    }

    [Fact]
    public void Validate_ReceiptsWithoutSigner_FailsSayingWhy_WithASignerPasses()
    {
        using var temp = new TempDirectory();
        var none = Validate(new GatewayOptions { DataDirectory = temp.Path }, new UplinkOptions { Receipts = true });
        Assert.False(none.Succeeded);
        Assert.Contains("Uplink:ReceiptSigners", none.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("no receipt could ever be accepted", none.FailureMessage, StringComparison.Ordinal);

        var bad = Validate(new GatewayOptions { DataDirectory = temp.Path }, new UplinkOptions { Receipts = true, ReceiptSigners = ["0x123"] });
        Assert.Contains("'0x123' is not an address", bad.FailureMessage, StringComparison.Ordinal);

        Assert.True(Validate(new GatewayOptions { DataDirectory = temp.Path }, new UplinkOptions { Receipts = true, ReceiptSigners = ["0x7564105E977516C53bE337314c7E53838967bDaC"] }).Succeeded);
    }

    [Fact]
    public void Validate_BadSimulationSetting_FailsNamingIt()
    {
        using var temp = new TempDirectory();
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Simulation:Beds"] = "1001" }).Build();
        var result = Validate(new GatewayOptions { DataDirectory = temp.Path }, configuration: config);
        Assert.False(result.Succeeded);
        Assert.Contains("Simulation:Beds", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ConfiguredStorageKeyMissingOrMalformed_FailsNamingTheSetting_DefaultMissingPasses()
    {
        using var temp = new TempDirectory();
        Assert.True(Validate(new GatewayOptions { DataDirectory = temp.Path }).Succeeded);

        var missing = Validate(new GatewayOptions { DataDirectory = temp.Path, StorageKeyFile = temp.Sub("nope.key") }).FailureMessage;
        Assert.Contains("Gateway:StorageKeyFile", missing, StringComparison.Ordinal);
        Assert.Contains(temp.Sub("nope.key"), missing, StringComparison.Ordinal);

        File.WriteAllText(temp.Sub("storage.key"), "short\n");
        File.SetUnixFileMode(temp.Sub("storage.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var malformed = Validate(new GatewayOptions { DataDirectory = temp.Path }).FailureMessage;
        Assert.Contains("Gateway:StorageKeyFile", malformed, StringComparison.Ordinal);
        Assert.False(File.Exists(temp.Sub("nope.key")));
    }

    private static ValidateOptionsResult Validate(GatewayOptions gateway, UplinkOptions? uplink = null, IConfiguration? configuration = null) =>
        new EnvironmentValidator(Options.Create(uplink ?? new UplinkOptions()), configuration ?? new ConfigurationBuilder().Build())
            .Validate(null, gateway);
}
