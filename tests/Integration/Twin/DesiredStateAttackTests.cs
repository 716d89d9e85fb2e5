namespace EdgeTwin.Integration.Tests.Twin;

using System.Text.Json.Nodes;
using EdgeTwin.Gateway.Hosting;
using EdgeTwin.Integration.Tests.Support;
using EdgeTwin.Telemetry.Desired;
using EdgeTwin.Telemetry.Signing;
using Microsoft.AspNetCore.Builder;

/// <summary>
/// Issue 11's attacks on <c>twin/desired</c>, against a real mosquitto and the real gateway host:
/// a flood of junk becomes one chain event, not a thousand; and an old signed document replayed
/// after <c>twin.db</c> was lost is refused (the floor file), not applied over a newer one.
/// </summary>
public sealed class DesiredStateAttackTests : IAsyncLifetime
{
    private const string Base = "edgetwin/v1/sim-ward/sim-gw";

    // TEST KEY ONLY: 32 bytes of 0x44 (the operator).
    private readonly GatewayKey _operator = GatewayKey.FromPrivateKeyHex("0x" + new string('4', 64));
    private readonly string _directory = Directory.CreateTempSubdirectory("edgetwin-desired-attack-").FullName;
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(120));
    private Mosquitto _broker = null!;
    private TopicRecorder _cloud = null!;
    private WebApplication? _gateway;

    private CancellationToken Ct => _timeout.Token;

    private string Data => Path.Combine(_directory, "data");

    public async Task InitializeAsync()
    {
        _broker = new Mosquitto();
        _cloud = await TopicRecorder.StartAsync(_broker.Port, Base + "/#", Ct);
        await StartGatewayAsync();
    }

    [Fact]
    public async Task AThousandOneByteMessages_BecomeOneRejectionEvent_NotAThousand()
    {
        await _cloud.WaitForAsync("/twin/reported", _ => true, Ct);
        for (var i = 0; i < 1000; i++)
        {
            await _cloud.PublishAsync(Base + "/twin/desired", [(byte)'x'], Ct);
        }

        // Delivered in order after the junk: once it is applied, every junk message was handled.
        await _cloud.PublishAsync(Base + "/twin/desired", Sign(1, DateTimeOffset.UtcNow), Ct);
        await _cloud.WaitForAsync("/telemetry", r => EventOf(r, "desired-applied")?["version"]?.GetValue<long>() == 1, Ct);

        var rejections = _cloud.Json("/telemetry").Select(m => m.Json).Where(r => EventOf(r, "desired-rejected") is not null)
            .DistinctBy(r => r["seq"]!.GetValue<long>()).ToList();
        var only = Assert.Single(rejections);
        Assert.Equal(DesiredEnvelope.Malformed, only["body"]!["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task TwinStoreLost_AnOldSignedDocument_IsRefused_NotAppliedOverTheNewerOne()
    {
        var old = Sign(3, DateTimeOffset.UtcNow.AddMinutes(-10));
        await _cloud.PublishRetainedAsync(Base + "/twin/desired", old, Ct);
        await _cloud.WaitForAsync("/twin/reported", d => Applied(d) == 3, Ct);
        await _cloud.PublishRetainedAsync(Base + "/twin/desired", Sign(5, DateTimeOffset.UtcNow), Ct);
        await _cloud.WaitForAsync("/twin/reported", d => Applied(d) == 5, Ct);

        await StopGatewayAsync();
        foreach (var file in Directory.GetFiles(Data, "twin*"))
        {
            File.Delete(file);
        }

        // The attacker puts the old signed document back as the retained one before the box returns.
        await _cloud.PublishRetainedAsync(Base + "/twin/desired", old, Ct);
        await StartGatewayAsync();

        var (reported, _) = await _cloud.WaitForAsync("/twin/reported", d => d["state"]!["desired"]!["lastRejected"]?["version"]?.GetValue<long>() == 3, Ct);
        Assert.Equal("stale-version", reported["state"]!["desired"]!["lastRejected"]!["reason"]!.GetValue<string>());
        Assert.Equal(0, Applied(reported));
    }

    public async Task DisposeAsync()
    {
        await StopGatewayAsync();
        await _cloud.DisposeAsync();
        _broker.Dispose();
        _operator.Dispose();
        _timeout.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static long Applied(JsonObject reported) => reported["state"]!["desired"]!["applied"]!.GetValue<long>();

    private static JsonNode? EventOf(JsonObject record, string type) =>
        record["kind"]?.GetValue<string>() == "event" && record["body"]?["type"]?.GetValue<string>() == type ? record["body"] : null;

    private byte[] Sign(long version, DateTimeOffset issued) =>
        DesiredEnvelope.Sign(new DesiredDocument("sim-gw", version, issued, (JsonObject)JsonNode.Parse("""{ "checkpoint": { "maxRecords": 200 } }""")!), _operator);

    private async Task StartGatewayAsync()
    {
        _gateway = GatewayHost.CreateBuilder(
        [
            $"--Gateway:DataDirectory={Data}",
            "--Gateway:Clock=synced",
            $"--Uplink:Broker=mqtt://127.0.0.1:{_broker.Port}",
            "--Status:Url=http://127.0.0.1:0",
            "--Simulation:Beds=1",
            $"--Twin:OperatorAddresses:0={_operator.Address}",
            "--Twin:ReportInterval=00:00:01",
            "--Logging:LogLevel:Default=Warning",
        ]).Build();
        await _gateway.StartAsync(Ct);
    }

    private async Task StopGatewayAsync()
    {
        if (_gateway is { } gateway)
        {
            _gateway = null;
            await gateway.StopAsync(CancellationToken.None);
            await gateway.DisposeAsync();
        }
    }
}
