namespace EdgeTwin.Integration.Tests.Gateway;

using System.Text.Json.Nodes;
using EdgeTwin.Integration.Tests.Support;
using EdgeTwin.Telemetry.Signing;

/// <summary>
/// <c>/status</c> <c>oldestUnreceiptedSeconds</c> (the box page's "oldest record without a receipt"):
/// the age of the oldest record the outbox keeps because no receipt covers it yet.
/// </summary>
public sealed class StatusOldestUnreceiptedTests
{
    private static readonly TimeSpan Wait60 = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task OldestUnreceiptedSeconds_WhileNoReceiptComes_IsTheAgeOfTheGenesis_GrowingWithTheClock()
    {
        var dir = Directory.CreateTempSubdirectory("edgetwin-it-oldest-").FullName;
        using var mosquitto = new Mosquitto();
        string signer;
        using (var nobody = GatewayKey.Generate())
        {
            signer = nobody.Address; // an ingest that never answers: the broker PUBACKs, no receipt comes
        }

        var before = DateTimeOffset.UtcNow;
        await using var gateway = await InProcessGateway.StartAsync(InProcessGateway.Args(Path.Combine(dir, "data"), mosquitto.Port,
            "--Simulation:Beds=1", "--Uplink:Receipts=true", $"--Uplink:ReceiptSigners:0={signer}"));
        using var http = new HttpClient { BaseAddress = new Uri(gateway.Urls.First()) };
        async Task<JsonNode> StatusAsync() => JsonNode.Parse(await http.GetStringAsync("/status"))!;

        // The first moment the outbox is seen holding records: the genesis was made before it.
        await Wait.UntilAsync(async () => (long)(await StatusAsync())["lanes"]!["telemetry"]!["storedRecords"]! > 0, Wait60, () => "the first stored record");
        var firstSeen = DateTimeOffset.UtcNow;
        await Wait.UntilAsync(async () => (bool)(await StatusAsync())["connected"]! && (double)(await StatusAsync())["oldestUnreceiptedSeconds"]!["telemetry"]! >= 3, Wait60, () => "the oldest unreceipted record 3 s old, connected");

        var readFrom = DateTimeOffset.UtcNow;
        var status = await StatusAsync();
        var readTo = DateTimeOffset.UtcNow;
        var oldest = (double)status["oldestUnreceiptedSeconds"]!["telemetry"]!;
        Assert.Equal(0, (long)status["lanes"]!["telemetry"]!["chained"]!["fromSeq"]!); // nothing deleted: the genesis is the oldest kept
        Assert.InRange(oldest, (readFrom - firstSeen).TotalSeconds, (readTo - before).TotalSeconds);

        // It grows with the clock while no receipt comes.
        await Wait.UntilAsync(async () => (double)(await StatusAsync())["oldestUnreceiptedSeconds"]!["telemetry"]! >= oldest + 1, Wait60, () => $"the age growing past {oldest + 1} s");

        await gateway.StopAsync();
        Directory.Delete(dir, recursive: true);
    }
}
