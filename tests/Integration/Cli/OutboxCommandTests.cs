namespace EdgeTwin.Integration.Tests.Cli;

using EdgeTwin.Gateway.Chains;
using EdgeTwin.Integration.Tests.Support;
using EdgeTwin.Telemetry.Records;
using Microsoft.Extensions.DependencyInjection;

/// <summary>
/// <c>edgetwin outbox</c> on a real gateway's data directory: refused while the gateway runs (its
/// outbox is locked), then, once stopped, it reads the encrypted store with the storage key, and
/// its export verifies as a sound, complete stream; a wrong key changes nothing and says so.
/// </summary>
public sealed class OutboxCommandTests
{
    [Fact]
    public async Task StoppedGatewaysOutbox_InspectedAndExported_ExportVerifies_WrongKeyAndRunningGatewayRefused()
    {
        var dir = Directory.CreateTempSubdirectory("edgetwin-it-").FullName;
        var data = Path.Combine(dir, "data");
        var export = Path.Combine(dir, "outbox.jsonl");

        // No broker listening: everything the gateway records stays in its outbox.
        var gateway = await InProcessGateway.StartAsync(InProcessGateway.Args(data, Mosquitto.FreePort()));
        var book = gateway.Services.GetRequiredService<ChainBook>();
        await Wait.UntilAsync(() => book.Head(Lane.Telemetry).Seq >= 30, TimeSpan.FromSeconds(60), "30 telemetry records committed");

        var (running, _, runningErr) = await Tool.RunAsync("outbox", data);
        Assert.Equal(2, running);
        Assert.Contains("still running", runningErr, StringComparison.Ordinal);

        await gateway.StopAsync();
        var head = book.Head(Lane.Telemetry);
        await gateway.DisposeAsync();
        var before = Directory.GetFiles(data).ToDictionary(f => f, File.ReadAllBytes);

        var (code, output, error) = await Tool.RunAsync("outbox", data, "--export", export);
        Assert.True(code == 0, error);
        // Nothing was published, so nothing was deleted: every record from genesis to the head is there.
        Assert.Matches($@"telemetry: epoch {head.Epoch} head seq {head.Seq}; stored {head.Seq + 1} records, \d+ bytes, oldest seq 0", output);
        Assert.Matches(@"alarm: epoch [0-9a-f]{32} head seq \d+", output);
        Assert.Contains("exported", output, StringComparison.Ordinal);

        var (verified, report, verifyError) = await Tool.RunAsync("verify", export);
        Assert.True(verified == 0, report + verifyError);

        // The chain's counts, kept at each commit, are those of the obs records exported from it.
        var exported = File.ReadLines(export).Select(l => Convert.FromBase64String((string)System.Text.Json.Nodes.JsonNode.Parse(l)!["b64"]!)).ToList();
        var obs = exported.Where(p => ObsSamples.Count(p) > 0).ToList();
        Assert.Contains($"telemetry: epoch {head.Epoch} head seq {head.Seq};", output, StringComparison.Ordinal);
        Assert.Contains($"; chained seq 0..{head.Seq}: {obs.Count} obs records, {obs.Sum(ObsSamples.Count)} samples", output, StringComparison.Ordinal);

        var wrongKey = Path.Combine(dir, "other.key");
        File.WriteAllText(wrongKey, new string('7', 64) + "\n");
        File.SetUnixFileMode(wrongKey, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var (wrong, _, wrongErr) = await Tool.RunAsync("outbox", data, "--key", wrongKey);
        Assert.Equal(2, wrong);
        Assert.Contains("key", wrongErr, StringComparison.OrdinalIgnoreCase);

        Assert.All(before, f => Assert.Equal(f.Value, File.ReadAllBytes(f.Key))); // inspection changed nothing
        Directory.Delete(dir, recursive: true);
    }
}
