namespace EdgeTwin.Integration.Tests.Gateway;

using System.Globalization;
using System.Text.Json;
using EdgeTwin.Drivers.Tests.Ble.FakeBluez;
using EdgeTwin.Integration.Tests.Support;

/// <summary>
/// A home-care patient's morning (issue 19) through the real gateway, each Bluetooth device on the fake
/// BlueZ of its own private dbus-daemon: a blood pressure cuff, a weight scale and a glucose meter that
/// stored readings while the box was away. Everything ends as verified obs records on the broker, at the
/// time it was measured, once each, across a restart of the box.
/// </summary>
public sealed class HomeCareMorningTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static DateTime Second(DateTime t) => t.AddTicks(-(t.Ticks % TimeSpan.TicksPerSecond));

    private static byte[] Stamp(DateTime t) => [(byte)t.Year, (byte)(t.Year >> 8), (byte)t.Month, (byte)t.Day, (byte)t.Hour, (byte)t.Minute, (byte)t.Second];

    [Fact]
    public async Task PatientsMorning_CuffScaleAndGlucoseMeterWithFiveStoredReadings_OneTakenWhileTheBoxWasOff_AreVerifiedObsAtTheirTimes_OnceEach()
    {
        using var mosquitto = new Mosquitto();
        await using var capture = await Capture.StartAsync(mosquitto.Port);
        var data = Directory.CreateTempSubdirectory("edgetwin-it-").FullName;
        PrivateDBus[] buses = [new(), new(), new()];
        foreach (var bus in buses)
        {
            await bus.InitializeAsync();
        }

        var cuff = await FakeBluezService.StartAsync(buses[0].Address, "A0:9E:1A:00:00:01", "00002a35-0000-1000-8000-00805f9b34fb");
        var scale = await FakeBluezService.StartAsync(buses[1].Address, "A0:9E:1A:00:00:02", "00002a9d-0000-1000-8000-00805f9b34fb");
        var meter = await FakeGlucoseMeter.StartAsync(buses[2].Address, "A0:9E:1A:00:00:03");

        // Before the box comes on: four finger-sticks, stored by a meter whose clock runs 7 minutes fast.
        var now = Second(DateTime.Now);
        meter.ClockAhead = TimeSpan.FromMinutes(7);
        meter.Measure(now.AddMinutes(-150), 182);                      // overnight
        meter.Measure(now.AddMinutes(-95), 104, meal: 3, hba1c: 6.9); // fasting, with the HbA1c
        meter.Measure(now.AddMinutes(-60), 161, meal: 2);              // after breakfast
        meter.Measure(now.AddMinutes(-20), 133);
        string[] args = [.. InProcessGateway.Args(data, mosquitto.Port, "--Simulation:Beds=0",
            "--Devices:0:Type=ble-gatt", "--Devices:0:Id=cuff", "--Devices:0:Address=A0:9E:1A:00:00:01", "--Devices:0:Profile=blood-pressure", $"--Devices:0:Bus={buses[0].Address}",
            "--Devices:1:Type=ble-gatt", "--Devices:1:Id=scale", "--Devices:1:Address=A0:9E:1A:00:00:02", "--Devices:1:Profile=weight-scale", $"--Devices:1:Bus={buses[1].Address}",
            "--Devices:2:Type=ble-gatt", "--Devices:2:Id=glucometer", "--Devices:2:Address=A0:9E:1A:00:00:03", "--Devices:2:Profile=glucose", $"--Devices:2:Bus={buses[2].Address}")];

        var gateway = await InProcessGateway.StartAsync(args);
        await cuff.Characteristic.WaitForStartNotifyAsync();
        await scale.Characteristic.WaitForStartNotifyAsync();
        var cuffAt = now.AddSeconds(-30);
        cuff.Characteristic.Notify([0x06, 0x84, 0x00, 0x52, 0x00, 0x61, 0x00, .. Stamp(cuffAt), 0x44, 0x00]); // 132/82, MAP 97, pulse 68
        // The scale has no clock: the box stamps its reading on arrival, and records state times in
        // whole milliseconds, so the earliest it can say is this instant cut to its millisecond.
        var beforeScale = DateTimeOffset.UtcNow;
        beforeScale = beforeScale.AddTicks(-(beforeScale.Ticks % TimeSpan.TicksPerMillisecond));
        scale.Characteristic.Notify(0x00, 0x20, 0x3A);                  // 74.4 kg (14880 x 0.005), no time stamp: charted at its arrival
        await Wait.UntilAsync(() => Count("glucometer", "loinc:41653-7") == 4 && Count("glucometer", "loinc:4548-4") == 1
            && Count("cuff", "loinc:8480-6") == 1 && Count("scale", "loinc:29463-7") == 1, Patience, "the morning's readings on the broker");
        await gateway.StopAsync();
        await Wait.UntilAsync(capture.LastStatusOffline, TimeSpan.FromSeconds(10), "the offline status after the final records"); // the capture has them all
        await gateway.DisposeAsync();

        // The box is off; the patient measures once more (the meter's clock was set right by the box).
        Assert.Equal(TimeSpan.Zero, meter.ClockAhead);
        var offAt = Second(DateTime.Now).AddSeconds(-10);
        meter.Measure(offAt, 118);
        Assert.True(File.Exists(Path.Combine(data, "device-cursors.json")));

        gateway = await InProcessGateway.StartAsync(args);
        await Wait.UntilAsync(() => Count("glucometer", "loinc:41653-7") == 5, Patience, "the reading taken while the box was off");
        await Wait.UntilAsync(() => meter.Bluez.Characteristic.StartNotifyCalls >= 2 && meter.Requests.Count == 2, Patience, "the second download finished");
        await gateway.StopAsync();
        await Wait.UntilAsync(capture.LastStatusOffline, TimeSpan.FromSeconds(10), "the offline status after the final records"); // the capture has them all
        await gateway.DisposeAsync();

        Assert.Equal([[0x01, 0x01], [0x01, 0x03, 0x01, 0x05, 0x00]], meter.Requests); // all, then only after the fourth
        var obs = Distinct(capture.Records("telemetry"));
        Assert.Equal(
            [(Utc(now.AddMinutes(-150)), 182.0), (Utc(now.AddMinutes(-95)), 104.0), (Utc(now.AddMinutes(-60)), 161.0), (Utc(now.AddMinutes(-20)), 133.0), (Utc(offAt), 118.0)],
            Of(obs, "glucometer", "loinc:41653-7").OrderBy(o => o.At));
        Assert.Equal([(Utc(now.AddMinutes(-95)), 6.9)], Of(obs, "glucometer", "loinc:4548-4"));
        Assert.All(obs.Where(o => o.Code is "loinc:41653-7"), o => Assert.Equal("mg/dL", o.Unit));
        Assert.Equal([(Utc(cuffAt), 132.0)], Of(obs, "cuff", "loinc:8480-6"));
        Assert.Equal([(Utc(cuffAt), 68.0)], Of(obs, "cuff", "loinc:76477-9"));
        var weight = Assert.Single(Of(obs, "scale", "loinc:29463-7"));
        Assert.Equal(74.4, weight.V);
        Assert.InRange(weight.At, beforeScale, DateTimeOffset.UtcNow);
        foreach (var report in Verification.Verify(capture.AllRecords, Verification.GatewayAddress(data)))
        {
            Verification.AssertComplete(report, capture.AllRecords);
        }

        await cuff.DisposeAsync();
        await scale.DisposeAsync();
        await meter.Bluez.DisposeAsync();
        foreach (var bus in buses)
        {
            await bus.DisposeAsync();
        }

        Directory.Delete(data, recursive: true);

        long Count(string device, string code) => Verification.SampleCounts(capture.Records("telemetry")).GetValueOrDefault((device, code));
    }

    private static DateTimeOffset Utc(DateTime local) => new DateTimeOffset(local).ToUniversalTime();

    private sealed record Obs(string Device, string Code, string Unit, DateTimeOffset At, double V);

    /// <summary>Every obs record once (a record the broker delivered twice, by the same epoch and seq, counts once).</summary>
    private static List<Obs> Distinct(IEnumerable<byte[]> telemetry)
    {
        var seen = new HashSet<(string, long)>();
        var obs = new List<Obs>();
        foreach (var root in telemetry.Select(p => JsonDocument.Parse(p).RootElement))
        {
            if (root.GetProperty("kind").GetString() != "obs" || !seen.Add((root.GetProperty("epoch").GetString()!, root.GetProperty("seq").GetInt64())))
            {
                continue;
            }

            var body = root.GetProperty("body");
            var at = DateTimeOffset.Parse(body.GetProperty("t0").GetString()!, CultureInfo.InvariantCulture);
            foreach (var v in body.GetProperty("v").EnumerateArray())
            {
                obs.Add(new Obs(body.GetProperty("device").GetString()!, body.GetProperty("code").GetString()!, body.GetProperty("unit").GetString()!, at, v.GetDouble()));
            }
        }

        return obs;
    }

    private static List<(DateTimeOffset At, double V)> Of(List<Obs> obs, string device, string code) =>
        [.. obs.Where(o => o.Device == device && o.Code == code).Select(o => (o.At, o.V))];
}
