namespace EdgeTwin.Integration.Tests.Gateway;

using EdgeTwin.Integration.Tests.Support;
using EdgeTwin.Telemetry.Records;

public class GatewayStreamTests
{
    [Fact]
    public async Task Run_ThenGracefulStop_EverySampleIsInAVerifiedRecord_CountsMatchExactly()
    {
        using var mosquitto = new Mosquitto();
        await using var capture = await Capture.StartAsync(mosquitto.Port);
        var data = Directory.CreateTempSubdirectory("edgetwin-it-").FullName;
        var gateway = await InProcessGateway.StartAsync(InProcessGateway.Args(data, mosquitto.Port));
        await Wait.UntilAsync(() => capture.HighestSeq("telemetry") >= 60, TimeSpan.FromSeconds(30), "60 telemetry records");
        await gateway.StopAsync();
        var produced = gateway.Counter.Counts.ToDictionary(kv => kv.Key, kv => kv.Value);
        await gateway.DisposeAsync();
        await Wait.UntilAsync(() => capture.LastStatusOffline(), TimeSpan.FromSeconds(10), "offline status");

        var reports = Verification.Verify(capture.AllRecords, Verification.GatewayAddress(data));
        Assert.Equal(2, reports.Count);
        foreach (var report in reports)
        {
            Verification.AssertComplete(report, capture.AllRecords);
        }

        var recorded = Verification.SampleCounts(capture.Records("telemetry"));
        Assert.NotEmpty(produced);
        Assert.True(produced.Values.Sum() > 1000, $"only {produced.Values.Sum()} samples");
        Assert.Equal(produced.OrderBy(kv => kv.Key).ToList(), recorded.OrderBy(kv => kv.Key).ToList());
        // Both beds, waveforms and vitals.
        Assert.Contains(recorded.Keys, k => k.Code == "mdc:131330");
        Assert.Contains(recorded.Keys, k => k.Code == "loinc:8867-4");
        Directory.Delete(data, recursive: true);
    }

    [Fact]
    public async Task BrokerDown_WhileAHundredRecordsAreMade_NothingLostOrForked_TheOutboxDrains()
    {
        using var mosquitto = new Mosquitto();
        await using var capture = await Capture.StartAsync(mosquitto.Port);
        var data = Directory.CreateTempSubdirectory("edgetwin-it-").FullName;
        var gateway = await InProcessGateway.StartAsync(InProcessGateway.Args(data, mosquitto.Port));
        await Wait.UntilAsync(() => capture.HighestSeq("telemetry") >= 20, TimeSpan.FromSeconds(30), "20 telemetry records");

        mosquitto.Stop();
        var uplink = gateway.Services.GetService(typeof(EdgeTwin.Gateway.Uplink.MqttUplink)) as EdgeTwin.Gateway.Uplink.MqttUplink;
        await Wait.UntilAsync(() => !uplink!.IsConnected, TimeSpan.FromSeconds(10), "uplink to notice the outage");
        var book = (EdgeTwin.Gateway.Chains.ChainBook)gateway.Services.GetService(typeof(EdgeTwin.Gateway.Chains.ChainBook))!;
        var headAtOutage = book.Head(Lane.Telemetry).Seq;
        await Wait.UntilAsync(() => book.Head(Lane.Telemetry).Seq - headAtOutage > 100, TimeSpan.FromSeconds(60), "recording goes on during the outage: 100 records");
        var headAtRestart = book.Head(Lane.Telemetry).Seq;
        mosquitto.Start();

        await Wait.UntilAsync(() => capture.HighestSeq("telemetry") > headAtRestart + 20, TimeSpan.FromSeconds(30), "live records after the restart");

        // The outbox drained: with Uplink:Receipts=false every PUBACK deletes its record, so nothing
        // from before the restart is left in it.
        await Wait.UntilAsync(() => book.Store.MinSeq(Lane.Telemetry) is not { } min || min > headAtRestart, TimeSpan.FromSeconds(30), "the backlog deleted from the outbox");
        await gateway.StopAsync();
        await Wait.UntilAsync(capture.LastStatusOffline, TimeSpan.FromSeconds(10), "the offline status after the final records"); // the capture has them all
        await gateway.DisposeAsync();

        var reports = Verification.Verify(capture.AllRecords, Verification.GatewayAddress(data));
        foreach (var report in reports)
        {
            Verification.AssertComplete(report, capture.AllRecords);
        }

        var telemetry = reports.Single(r => r.Chain.Lane == Lane.Telemetry);
        Assert.True(telemetry.HighestSeq > headAtRestart + 20);
        Directory.Delete(data, recursive: true);
    }

    [Fact]
    public async Task CorruptOutbox_QuarantinedAndNewEpochWithReasonAndEvent()
    {
        using var mosquitto = new Mosquitto();
        await using var capture = await Capture.StartAsync(mosquitto.Port);
        var data = Directory.CreateTempSubdirectory("edgetwin-it-").FullName;
        var gateway = await InProcessGateway.StartAsync(InProcessGateway.Args(data, mosquitto.Port, "--Simulation:Beds=1"));
        await Wait.UntilAsync(() => capture.HighestSeq("telemetry") >= 5, TimeSpan.FromSeconds(30), "first records");
        await gateway.StopAsync();
        await Wait.UntilAsync(capture.LastStatusOffline, TimeSpan.FromSeconds(10), "the offline status after the final records"); // the capture has them all
        await gateway.DisposeAsync();

        var outbox = Path.Combine(data, "outbox.db");
        var bytes = File.ReadAllBytes(outbox);
        Array.Fill(bytes, (byte)0x5A, 0, 8192);
        File.WriteAllBytes(outbox, bytes);

        gateway = await InProcessGateway.StartAsync(InProcessGateway.Args(data, mosquitto.Port, "--Simulation:Beds=1"));
        await Wait.UntilAsync(
            () => Verification.Kinds(capture.Records("telemetry"), "event").Any(e => e.GetProperty("body").GetProperty("type").GetString() == "store-quarantined"),
            TimeSpan.FromSeconds(30), "store-quarantined event");
        // The one error expected: the quarantine itself, logged as critical (event 1020).
        Assert.Single(gateway.Errors.Entries, e => e.Contains("[1020]", StringComparison.Ordinal));
        gateway.Errors.Entries.Clear();
        await gateway.StopAsync();
        await Wait.UntilAsync(capture.LastStatusOffline, TimeSpan.FromSeconds(10), "the offline status after the final records"); // the capture has them all
        await gateway.DisposeAsync();

        var quarantined = Directory.GetFiles(data, "outbox.db.corrupt-*");
        Assert.Single(quarantined);
        Assert.Equal(bytes, File.ReadAllBytes(quarantined[0]));
        var geneses = Verification.Kinds(capture.Records("telemetry"), "genesis");
        Assert.Equal(["first-start", "store-corrupt"], geneses.Select(g => g.GetProperty("body").GetProperty("reason").GetString()));
        Assert.NotEqual(geneses[0].GetProperty("epoch").GetString(), geneses[1].GetProperty("epoch").GetString());
        Directory.Delete(data, recursive: true);
    }
}
