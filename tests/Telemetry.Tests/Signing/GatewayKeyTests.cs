namespace EdgeTwin.Telemetry.Tests.Signing;

using System.Security.Cryptography;
using EdgeTwin.Telemetry.Signing;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class GatewayKeyTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("edgetwin-key-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void ReferenceKey_HasTheReferenceAddress_AndToStringHidesTheKey()
    {
        using var key = TestKeys.Reference();
        Assert.Equal(TestKeys.ReferenceAddress, key.Address);
        Assert.DoesNotContain("2222", key.ToString(), StringComparison.Ordinal);
        Assert.Contains(key.Address, key.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void SignDigest_RecoversToTheSigner_AndIsDeterministic()
    {
        using var key = GatewayKey.Generate();
        var digest = SHA256.HashData("hello"u8);
        var sig = key.SignDigest(digest);

        Assert.Matches("^0x[0-9a-f]{128}(1b|1c)$", sig);
        Assert.Equal(sig, key.SignDigest(digest));
        Assert.True(Eip191.TryRecover(digest, sig, out var address, out var problem), problem);
        Assert.Equal(key.Address, address);
    }

    [Fact]
    public void SaveAndLoad_RoundTrip_WithMode0600()
    {
        var path = Path.Combine(dir, "gw.key");
        using var key = GatewayKey.Generate();
        key.SaveToFile(path);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        using var loaded = GatewayKey.LoadFromFile(path);
        Assert.Equal(key.Address, loaded.Address);
    }

    [Theory]
    [InlineData("0x00a1c2e3f405162738495a6b7c8d9eafb0c1d2e3f405162738495a6b7c8d9eaf")]
    [InlineData("0x0000000000000000000000000000000000000000000000000000000000000001")]
    public void SaveAndLoad_AKeyWithLeadingZeroBytes_IsSavedWithAll64DigitsAndLoadsAsItself(string hex)
    {
        var path = Path.Combine(dir, "zeros.key");
        using var key = GatewayKey.FromPrivateKeyHex(hex);
        key.SaveToFile(path);

        Assert.Equal(hex + "\n", File.ReadAllText(path));
        using var loaded = GatewayKey.LoadFromFile(path);
        Assert.Equal(key.Address, loaded.Address);
    }

    [Fact]
    public void Save_NeverOverwrites()
    {
        var path = Path.Combine(dir, "gw.key");
        File.WriteAllText(path, "precious");
        using var key = GatewayKey.Generate();

        var e = Assert.Throws<KeyFileException>(() => key.SaveToFile(path));
        Assert.Contains("already exists", e.Message, StringComparison.Ordinal);
        Assert.Equal("precious", File.ReadAllText(path));
    }

    [Fact]
    public void Load_RefusesGroupOrOtherReadable()
    {
        var path = Path.Combine(dir, "gw.key");
        using (var key = GatewayKey.Generate())
        {
            key.SaveToFile(path);
        }

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        var e = Assert.Throws<KeyFileException>(() => GatewayKey.LoadFromFile(path));
        Assert.Contains("group or others", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingOrMalformed_IsAClearErrorThatDoesNotEchoTheContent()
    {
        Assert.Contains("does not exist", Assert.Throws<KeyFileException>(() => GatewayKey.LoadFromFile(Path.Combine(dir, "none"))).Message, StringComparison.Ordinal);
        var path = Path.Combine(dir, "bad.key");
        File.WriteAllText(path, "0xdeadbeefsecret");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var e = Assert.Throws<KeyFileException>(() => GatewayKey.LoadFromFile(path));
        Assert.Contains("malformed", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("deadbeef", e.Message, StringComparison.Ordinal);
    }
}
