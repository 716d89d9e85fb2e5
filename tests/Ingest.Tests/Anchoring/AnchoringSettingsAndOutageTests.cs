namespace EdgeTwin.Ingest.Tests.Anchoring;

using EdgeTwin.Ingest.Alerts;
using EdgeTwin.Ingest.Anchoring;
using EdgeTwin.Ingest.Metrics;
using EdgeTwin.Ingest.Options;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Ingest.Storage.LiteDb;
using EdgeTwin.Ingest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

public sealed class AnchoringSettingsAndOutageTests
{
    [Fact]
    public void AnchorSettings_WithoutRpc_AreOff_AndAnRpcNeedsAChainIdAndAContract_NamedInTheRefusal()
    {
        var validator = new IngestOptionsSemanticValidator();
        Assert.False(new IngestOptions().Anchor.Enabled);
        Assert.True(validator.Validate(null, new IngestOptions()).Succeeded);

        var incomplete = validator.Validate(null, new IngestOptions { Anchor = new AnchorOptions { Rpc = "http://127.0.0.1:8545" } });
        Assert.False(incomplete.Succeeded);
        Assert.Contains("Ingest:Anchor:ChainId", incomplete.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Ingest:Anchor:Contract", incomplete.FailureMessage, StringComparison.Ordinal);

        var notHttp = validator.Validate(null, new IngestOptions { Anchor = new AnchorOptions { Rpc = "ws://x", ChainId = 1, Contract = "0x" + new string('a', 40) } });
        Assert.Contains("Ingest:Anchor:Rpc", notHttp.FailureMessage, StringComparison.Ordinal);
        Assert.True(validator.Validate(null, new IngestOptions { Anchor = new AnchorOptions { Rpc = "http://127.0.0.1:8545", ChainId = 1337, Contract = "0x" + new string('a', 40) } }).Succeeded);

        var tooShort = new IngestOptionsValidator().Validate(null, new IngestOptions { Anchor = new AnchorOptions { Interval = TimeSpan.FromMilliseconds(1) } });
        Assert.False(tooShort.Succeeded);
        Assert.Contains("Interval", tooShort.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnreachableLedger_RaisesAnchorFailedOnce_AndKeepsThePreparedAnchorForTheNextRound()
    {
        var dir = Directory.CreateTempSubdirectory("edgetwin-anchor-outage-").FullName;
        var chain = new ChainId("gw-1", "telemetry", new string('a', 32));
        await using var store = new LiteDbIngestStore(Path.Combine(dir, "store"));
        await store.InitializeAsync(default);
        await store.WriteAsync([chain], "site", async s =>
        {
            await s.TryInsertRecordAsync(new RecordRow(chain, 3, new string('c', 64), "checkpoint", "site", null, null, null, [1], DateTimeOffset.UnixEpoch));
            await s.AddAnchorLeavesAsync(chain, 0, 3);
            return 0;
        }, default);

        // A port nothing listens on.
        var closed = FreePort.Next();
        var options = new IngestOptions
        {
            Storage = $"litedb:{dir}",
            KeyFile = Path.Combine(dir, "ingest.key"),
            Anchor = new AnchorOptions { Rpc = $"http://127.0.0.1:{closed}", ChainId = 1337, Contract = "0x" + new string('a', 40), Timeout = TimeSpan.FromSeconds(5) },
        };
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        var alerts = new AlertPublisher(NullLogger<AlertPublisher>.Instance, new IngestMetrics(meters));
        using var anchorer = new Anchorer(store, new FixedOptionsMonitor<IngestOptions>(options), alerts, TimeProvider.System, NullLogger<Anchorer>.Instance, meters);

        Assert.Null(await anchorer.RoundAsync(default));
        Assert.Null(await anchorer.RoundAsync(default));

        var raised = await store.AlertsAsync(0, 10, default);
        var failed = Assert.Single(raised);
        Assert.Equal((AlertKind.AnchorFailed, Anchorer.Everyone), (failed.Kind, failed.Gw));
        Assert.Contains($"127.0.0.1:{closed}", failed.Detail, StringComparison.Ordinal);
        var prepared = Assert.Single(await store.AnchorsAsync(10, default));
        Assert.Equal((0L, 1L, false), (prepared.FirstLeaf, prepared.TreeSize, prepared.Anchored));
        Assert.True(File.Exists(Path.Combine(dir, "anchor.key")));
        Directory.Delete(dir, recursive: true);
    }
}
