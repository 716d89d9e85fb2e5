namespace EdgeTwin.Cli.Tests;

/// <summary>
/// <c>edgetwin ble</c> refusing what it cannot ask the gateway with (exit 2, the reason on stderr);
/// against the real gateway: tests/Integration/Cli/BleCommandTests.cs.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class BleCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edgetwin-cli-ble-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Token()
    {
        var file = Path.Combine(_dir, "admin-token");
        File.WriteAllText(file, new string('a', 64) + "\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return file;
    }

    [Fact]
    public async Task AGatewayAddressThatIsNotHttp_IsRefused()
    {
        var (exit, _, err) = await Cli.RunAsync("ble", "list", "--gateway", "ftp://127.0.0.1:8480", "--token-file", Token());

        Assert.Equal(2, exit);
        Assert.Contains("--gateway 'ftp://127.0.0.1:8480' is not an http:// or https:// address", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingTokenFile_IsRefused_NamingItAndHowToRun()
    {
        var missing = Path.Combine(_dir, "nope");

        var (exit, _, err) = await Cli.RunAsync("ble", "scan", "--token-file", missing);

        Assert.Equal(2, exit);
        Assert.Contains(missing, err, StringComparison.Ordinal);
        Assert.Contains("sudo -u edgetwin", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AGatewayThatDoesNotAnswer_IsSaid()
    {
        // Port 1: nothing listens on loopback there.
        var (exit, _, err) = await Cli.RunAsync("ble", "pair", "A0:9E:1A:12:34:56", "--gateway", "http://127.0.0.1:1", "--token-file", Token());

        Assert.Equal(2, exit);
        Assert.Contains("the gateway at http://127.0.0.1:1/ did not answer", err, StringComparison.Ordinal);
    }
}
