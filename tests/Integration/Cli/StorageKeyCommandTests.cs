namespace EdgeTwin.Integration.Tests.Cli;

using EdgeTwin.Gateway.Chains;
using EdgeTwin.Integration.Tests.Support;
using EdgeTwin.Outbox.Encryption;
using EdgeTwin.Telemetry.Records;
using Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Issue 14: <c>edgetwin storage-key</c> on a real gateway's data directory. Refused while the gateway
/// runs; once stopped, the outbox and the twin store are re-encrypted under a new key, and the gateway
/// started again resumes the very chains it left, with nothing missing.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class StorageKeyCommandTests
{
    [Fact]
    public async Task StoppedGateway_KeyRotated_BothStoresUnderTheNewKey_TheGatewayResumesItsChains_RunningOneRefused()
    {
        var dir = Directory.CreateTempSubdirectory("edgetwin-it-").FullName;
        var data = Path.Combine(dir, "data");
        var args = InProcessGateway.Args(data, Mosquitto.FreePort()); // no broker: everything stays in the outbox
        var gateway = await InProcessGateway.StartAsync(args);
        var book = gateway.Services.GetRequiredService<ChainBook>();
        await Wait.UntilAsync(() => book.Head(Lane.Telemetry).Seq >= 20, TimeSpan.FromSeconds(60), "20 telemetry records committed");

        var (running, _, runningErr) = await Tool.RunAsync("storage-key", data);
        Assert.Equal(2, running);
        Assert.Contains("is in use: stop the service", runningErr, StringComparison.Ordinal);

        await gateway.StopAsync();
        var head = book.Head(Lane.Telemetry);
        await gateway.DisposeAsync();
        var keyPath = Path.Combine(data, "storage.key");
        var oldKey = await File.ReadAllTextAsync(keyPath);

        var (code, output, error) = await Tool.RunAsync("storage-key", data);

        Assert.True(code == 0, error + output);
        Assert.Contains("outbox.db: re-encrypted", output, StringComparison.Ordinal);
        Assert.Contains("twin.db: re-encrypted", output, StringComparison.Ordinal);
        Assert.NotEqual(oldKey, await File.ReadAllTextAsync(keyPath));
        var retired = Assert.Single(Directory.GetFiles(data, "storage.key.retired-*"));
        Assert.Equal(oldKey, await File.ReadAllTextAsync(retired));
        Assert.False(StoreEncryption.OpensWith(Path.Combine(data, "outbox.db"), Path.Combine(data, "outbox-log.db"), StorageKey.Load(retired).PasswordFor("outbox")));

        await using var again = await InProcessGateway.StartAsync(args);
        var resumed = again.Services.GetRequiredService<ChainBook>();
        await Wait.UntilAsync(() => resumed.Head(Lane.Telemetry).Seq > head.Seq, TimeSpan.FromSeconds(60), "records after the restart");
        Assert.Equal(head.Epoch, resumed.Head(Lane.Telemetry).Epoch);
        Assert.Equal(0, resumed.Store.MinSeq(Lane.Telemetry)); // nothing published, nothing lost: the outbox still starts at genesis
        await again.StopAsync();
        Directory.Delete(dir, recursive: true);
    }
}
