namespace EdgeTwin.Integration.Tests.Alarms;

using System.Diagnostics;
using System.Text.Json;
using EdgeTwin.Drivers.Gpio.Annunciation;
using EdgeTwin.Gateway.Chains;
using EdgeTwin.Gateway.Uplink;
using EdgeTwin.Integration.Tests.Support;
using EdgeTwin.Telemetry.Records;
using Microsoft.Extensions.DependencyInjection;

public class AlarmLaneTests
{
    /// <summary>
    /// The issue's proof through the real gateway: the simulated acute-hypoxia bed (no patient
    /// admitted, so the device-bed is scored) raises a NEWS2 high alarm on the alarm lane, a
    /// checkpoint follows it, and the Telemetry verifier accepts the whole lane. The scenario plays
    /// at 4x (ramp over ~9 s instead of 35 s); onset delays and evaluation run on the real clock.
    /// </summary>
    [Fact]
    public async Task AcuteHypoxia_News2HighAlarmThenCheckpoint_OnAlarmLane_Verified()
    {
        using var mosquitto = new Mosquitto();
        await using var capture = await Capture.StartAsync(mosquitto.Port);
        var data = Directory.CreateTempSubdirectory("edgetwin-it-").FullName;
        var clock = Stopwatch.StartNew();
        var gateway = await InProcessGateway.StartAsync(InProcessGateway.Args(
            data, mosquitto.Port, "--Simulation:Beds=1", "--Simulation:Scenario=acute-hypoxia", "--Simulation:Speed=4"));

        await Wait.UntilAsync(() => CheckpointAfter(capture, News2High(capture)), TimeSpan.FromSeconds(60), "a news2 high alarm followed by a checkpoint");
        var elapsed = clock.Elapsed;
        await gateway.StopAsync();
        await Wait.UntilAsync(capture.LastStatusOffline, TimeSpan.FromSeconds(10), "the offline status after the final records"); // the capture has them all
        await gateway.DisposeAsync();

        var alarm = News2High(capture)!.Value;
        var body = alarm.GetProperty("body");
        Assert.Equal("raised", body.GetProperty("state").GetString());
        Assert.Equal("news2-high", body.GetProperty("condition").GetString());
        Assert.Equal("unattributed", body.GetProperty("patient").GetString());
        Assert.True(elapsed < TimeSpan.FromSeconds(60), $"took {elapsed}");

        var reports = Verification.Verify(capture.AllRecords, Verification.GatewayAddress(data));
        var lane = reports.Single(r => r.Chain.Lane == Lane.Alarm);
        Verification.AssertComplete(lane, capture.AllRecords);
        Assert.True(lane.VerifiedThrough >= alarm.GetProperty("seq").GetInt64(), $"alarm seq {alarm.GetProperty("seq")} not verified (through {lane.VerifiedThrough})");
        Directory.Delete(data, recursive: true);
    }

    /// <summary>
    /// Issue 6, "with the broker down": the gateway starts with no broker, the acute-hypoxia bed
    /// raises the NEWS2 high alarm, the local annunciator shows High and the alarm lane grows while
    /// nothing can be published; once the broker is back the capturing subscriber receives the alarm
    /// and its checkpoint, and the alarm lane verifies complete (no missing seq, ends in a checkpoint).
    /// </summary>
    [Fact]
    public async Task BrokerDown_News2HighAlarm_AnnunciatedLocally_ThenPublishedCompleteWhenBrokerBack()
    {
        using var mosquitto = new Mosquitto();
        await using var capture = await Capture.StartAsync(mosquitto.Port);
        mosquitto.Stop(); // the capture's persistent session keeps what is published after the restart
        var data = Directory.CreateTempSubdirectory("edgetwin-it-").FullName;
        var gateway = await InProcessGateway.StartAsync(InProcessGateway.Args(
            data, mosquitto.Port, "--Simulation:Beds=1", "--Simulation:Scenario=acute-hypoxia", "--Simulation:Speed=4"));
        var annunciator = gateway.Services.GetRequiredService<IAnnunciator>();
        var uplink = gateway.Services.GetRequiredService<MqttUplink>();
        var book = gateway.Services.GetRequiredService<ChainBook>();

        await Wait.UntilAsync(() => annunciator.Level == AnnunciationLevel.High, TimeSpan.FromSeconds(25), "the annunciator at High with the broker down");
        Assert.False(uplink.IsConnected);
        var alarmHead = book.Head(Lane.Alarm).Seq;
        Assert.True(alarmHead >= 2, $"alarm lane head {alarmHead}: expected genesis, an alarm and its checkpoint recorded offline");
        Assert.Empty(capture.Records("alarm"));

        mosquitto.Start();
        await Wait.UntilAsync(() => CheckpointAfter(capture, News2High(capture)), TimeSpan.FromSeconds(15), "the news2 high alarm and a checkpoint after the broker is back");
        await gateway.StopAsync();
        await Wait.UntilAsync(capture.LastStatusOffline, TimeSpan.FromSeconds(10), "the offline status after the final records"); // the capture has them all
        await gateway.DisposeAsync();

        var alarm = News2High(capture)!.Value;
        Assert.Equal("raised", alarm.GetProperty("body").GetProperty("state").GetString());
        Assert.True(alarm.GetProperty("seq").GetInt64() <= alarmHead, "the alarm published is the one recorded while the broker was down");
        var reports = Verification.Verify(capture.AllRecords, Verification.GatewayAddress(data));
        var lane = reports.Single(r => r.Chain.Lane == Lane.Alarm);
        Verification.AssertComplete(lane, capture.Records("alarm"));
        Assert.True(lane.VerifiedThrough >= alarm.GetProperty("seq").GetInt64());
        Directory.Delete(data, recursive: true);
    }

    private static JsonElement? News2High(Capture capture) =>
        Verification.Kinds(capture.Records("alarm"), "alarm")
            .Where(r => r.GetProperty("body").GetProperty("source").GetString() == "news2" && r.GetProperty("body").GetProperty("priority").GetString() == "high")
            .Cast<JsonElement?>()
            .FirstOrDefault();

    private static bool CheckpointAfter(Capture capture, JsonElement? alarm) =>
        alarm is { } a && Verification.Kinds(capture.Records("alarm"), "checkpoint").Any(c =>
            c.GetProperty("epoch").GetString() == a.GetProperty("epoch").GetString() && c.GetProperty("seq").GetInt64() > a.GetProperty("seq").GetInt64());
}
