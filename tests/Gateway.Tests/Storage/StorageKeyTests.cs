namespace EdgeTwin.Gateway.Tests.Storage;

using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Storage;
using EdgeTwin.Gateway.Tests.Support;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public class StorageKeyTests
{
    [Fact]
    public void ForGateway_DefaultPath_GeneratesOwnerOnlyKeyOnce_AndDerivesStablePerStorePasswords()
    {
        using var temp = new TempDirectory();
        var options = new GatewayOptions { DataDirectory = temp.Path };

        var first = GatewayStorageKey.ForGateway(options);
        var second = GatewayStorageKey.ForGateway(options);

        var path = temp.Sub("storage.key");
        Assert.Equal(path, first.Path);
        Assert.True(first.Created);
        Assert.False(second.Created);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Matches("^[0-9a-f]{64}\n$", File.ReadAllText(path));
        Assert.Equal(first.PasswordFor("outbox"), second.PasswordFor("outbox"));
        Assert.NotEqual(first.PasswordFor("outbox"), first.PasswordFor("twin"));
        Assert.DoesNotContain(File.ReadAllText(path).Trim(), first.PasswordFor("outbox"), StringComparison.Ordinal);
        Assert.DoesNotContain(File.ReadAllText(path).Trim(), first.ToString(), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(temp.Path, "storage.key.new-*"));
    }

    [Fact]
    public void ForGateway_ConfiguredFileMissing_RefusesNamingTheFile_AndGeneratesNothing()
    {
        using var temp = new TempDirectory();
        var path = temp.Sub("keys/storage.key");

        var error = Assert.Throws<StartupException>(() => GatewayStorageKey.ForGateway(new GatewayOptions { DataDirectory = temp.Path, StorageKeyFile = path }));

        Assert.Equal(GatewayStorageKey.Setting, error.Setting);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("mounted", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
        Assert.False(File.Exists(temp.Sub("storage.key")));
    }

    [Theory]
    [InlineData("abc\n")]
    [InlineData("zz00000000000000000000000000000000000000000000000000000000000000\n")]
    [InlineData("")]
    public void ForGateway_MalformedKey_RefusesNamingTheFile_AndLeavesItAsItWas(string text)
    {
        using var temp = new TempDirectory();
        var path = temp.Sub("storage.key");
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var error = Assert.Throws<StartupException>(() => GatewayStorageKey.ForGateway(new GatewayOptions { DataDirectory = temp.Path }));

        Assert.Equal(GatewayStorageKey.Setting, error.Setting);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("64 hex digits", error.Message, StringComparison.Ordinal);
        Assert.Equal(text, File.ReadAllText(path));
    }

    [Fact]
    public void ForGateway_KeyOthersMayRead_Refuses()
    {
        using var temp = new TempDirectory();
        var path = temp.Sub("storage.key");
        File.WriteAllText(path, new string('a', 64) + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var error = Assert.Throws<StartupException>(() => GatewayStorageKey.ForGateway(new GatewayOptions { DataDirectory = temp.Path, StorageKeyFile = path }));

        Assert.Contains("chmod 600", error.Message, StringComparison.Ordinal);
    }
}
