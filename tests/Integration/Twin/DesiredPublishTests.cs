namespace EdgeTwin.Integration.Tests.Twin;

using EdgeTwin.Cli;
using EdgeTwin.Integration.Tests.Support;
using EdgeTwin.Telemetry.Signing;

/// <summary>
/// <c>edgetwin desired publish</c> against a real mosquitto and a real gateway process: it publishes,
/// then reports the gateway's own verdict (applied, or refused with the reason) by its exit code.
/// </summary>
public sealed class DesiredPublishTests : IAsyncLifetime
{
    // TEST KEYS ONLY: 32 bytes of 0x66 (the operator, trusted by its scalar Twin:OperatorAddresses) and 0x77 (a stranger).
    private const string OperatorHex = "0x6666666666666666666666666666666666666666666666666666666666666666";
    private const string StrangerHex = "0x7777777777777777777777777777777777777777777777777777777777777777";
    private readonly string _directory = Directory.CreateTempSubdirectory("edgetwin-desired-it-").FullName;
    private Mosquitto _broker = null!;
    private GatewayProcess _gateway = null!;

    private string Broker => $"mqtt://127.0.0.1:{_broker.Port}";

    public Task InitializeAsync()
    {
        _broker = new Mosquitto();
        using var op = GatewayKey.FromPrivateKeyHex(OperatorHex);
        op.SaveToFile(Path.Combine(_directory, "operator.key"));
        using var stranger = GatewayKey.FromPrivateKeyHex(StrangerHex);
        stranger.SaveToFile(Path.Combine(_directory, "stranger.key"));
        _gateway = GatewayProcess.Start(_directory, InProcessGateway.Args(Path.Combine(_directory, "data"), _broker.Port,
            "--Simulation:Beds=1", $"--Twin:OperatorAddresses={op.Address}"));
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Publish_AValidDocument_IsApplied_ThenTheSameVersionAgain_IsRefusedAsStale()
    {
        var state = State("""{ "alarms": { "thresholds": { "hrHigh": 150 } } }""");

        var applied = await PublishAsync("operator.key", 1, state);
        var again = await PublishAsync("operator.key", 1, state);

        Assert.True(applied.Exit == 0, applied.Err + _gateway.Stderr);
        Assert.Equal("desired-applied: version 1", applied.Out.Trim());
        Assert.Equal(1, again.Exit);
        Assert.Equal("desired-rejected: version 1: stale-version", again.Out.Trim());
    }

    [Fact]
    public async Task Publish_SignedByAKeyTheGatewayDoesNotTrust_IsRefused_NamingWhy()
    {
        var (exit, output, err) = await PublishAsync("stranger.key", 10, State("""{ "checkpoint": { "maxRecords": 64 } }"""));

        Assert.True(exit == 1, err + _gateway.Stderr);
        Assert.Equal("desired-rejected: version 10: not-signed-by-operator", output.Trim());
    }

    public Task DisposeAsync()
    {
        _gateway.Dispose();
        _broker.Dispose();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    private string State(string json)
    {
        var path = Path.Combine(_directory, $"state-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }

    private async Task<(int Exit, string Out, string Err)> PublishAsync(string key, long version, string state)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var exit = await CliApp.RunAsync(
            ["desired", "publish", "--broker", Broker, "--site", "site-it", "--gw", "gw-it", "--key", Path.Combine(_directory, key), "--version", $"{version}", "--timeout", "60", state],
            stdout, stderr, TimeProvider.System, timeout.Token);
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
