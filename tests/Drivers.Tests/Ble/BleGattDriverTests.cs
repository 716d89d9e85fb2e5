namespace EdgeTwin.Drivers.Tests.Ble;

using EdgeTwin.Drivers.Ble;
using EdgeTwin.Drivers.Hardware;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Drivers.Tests.Ble.FakeBluez;
using EdgeTwin.Drivers.Tests.Support;

/// <summary>The real driver against a fake bluetoothd on a private dbus-daemon (no radio needed).</summary>
public sealed class BleGattDriverTests(PrivateDBus bus) : IClassFixture<PrivateDBus>
{
    private const string Mac = "A4:C1:38:12:34:56";
    private const string HeartRateUuid = "00002a37-0000-1000-8000-00805f9b34fb";

    private BleGattDriver Driver(string profile = BleProfiles.HeartRate, string? busAddress = null) => new(
        "ble-1",
        new BleGattSettings(Mac, "hci0", busAddress ?? bus.Address, profile)
        {
            Backoff = new ProbeBackoff(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(200)),
            CallTimeout = TimeSpan.FromSeconds(5),
        },
        TimeProvider.System);

    private static async Task StopAsync(CancellationTokenSource cts, Task run)
    {
        await cts.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10)); // returns quietly on cancellation, never throws
    }

    /// <summary>A fake BlueZ with the characteristic, and the driver running against it until notifying.</summary>
    private async Task<Running> StartNotifyingAsync(string profile = BleProfiles.HeartRate, string uuid = HeartRateUuid, params string[] moreUuids)
    {
        var bluez = await FakeBluezService.StartAsync(bus.Address, Mac, uuid, moreUuids);
        var driver = Driver(profile);
        var sink = new CollectingSink();
        var cts = new CancellationTokenSource();
        var running = new Running(bluez, driver, sink, cts, driver.RunAsync(sink, cts.Token));
        await bluez.Characteristic.WaitForStartNotifyAsync();
        await Eventually.TrueAsync(() => driver.Health == DeviceHealth.Ok, "Ok once notifying");
        return running;
    }

    private sealed record Running(FakeBluezService Bluez, BleGattDriver Driver, CollectingSink Sink, CancellationTokenSource Cts, Task Run) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await StopAsync(Cts, Run);
            Cts.Dispose();
            await Bluez.DisposeAsync();
        }
    }

    [Fact]
    public async Task Notifications_BecomeSamples_WithHealthFromTheirValidity()
    {
        var before = DateTimeOffset.UtcNow;
        await using var t = await StartNotifyingAsync();
        Assert.Equal(1, t.Bluez.Device.ConnectCalls);

        t.Bluez.Characteristic.Notify(0x06, 64);                  // contact detected, 64 /min
        var samples = await t.Sink.WaitUntilAsync(s => s.Count >= 1);
        Assert.Equal(new Sample("ble-1", StreamCodes.HeartRate, samples[0].Timestamp, 64), samples[0]);
        Assert.InRange(samples[0].Timestamp, before, DateTimeOffset.UtcNow);

        t.Bluez.Characteristic.Notify(0x04, 70);                  // strap off the skin
        samples = await t.Sink.WaitUntilAsync(s => s.Count >= 2);
        Assert.Null(samples[1].Value);
        Assert.Equal(DeviceHealth.Degraded, t.Driver.Health);

        t.Bluez.Characteristic.Notify(0x11, 0x48);                // malformed: uint16 flagged, one byte
        samples = await t.Sink.WaitUntilAsync(s => s.Count >= 3);
        Assert.Null(samples[2].Value);
        Assert.Equal(1, t.Driver.MalformedNotifications);

        t.Bluez.Characteristic.Notify(0x01, 0x48, 0x00);          // uint16 72: good again
        samples = await t.Sink.WaitUntilAsync(s => s.Count >= 4);
        Assert.Equal(72, samples[3].Value);
        Assert.Equal(DeviceHealth.Ok, t.Driver.Health);

        t.Bluez.Characteristic.Notify(0x00, 0);                   // 0 /min: well formed, implausible
        samples = await t.Sink.WaitUntilAsync(s => s.Count >= 5);
        Assert.Null(samples[4].Value);
        Assert.Equal(DeviceHealth.Degraded, t.Driver.Health);
        Assert.Equal(1, t.Driver.MalformedNotifications);
    }

    [Fact]
    public async Task Thermometer_FahrenheitNotification_GivesCelsius()
    {
        await using var t = await StartNotifyingAsync(BleProfiles.Thermometer, "00002a1c-0000-1000-8000-00805f9b34fb");

        t.Bluez.Characteristic.Notify(0x05, 0xDA, 0x03, 0x00, 0xFF, 0x02); // 98.6 F, type: body

        var sample = (await t.Sink.WaitUntilAsync(s => s.Count >= 1))[0];
        Assert.Equal(StreamCodes.BodyTemperature.Code, sample.Stream.Code);
        Assert.Equal(37.0, sample.Value!.Value, 6);
    }

    [Fact]
    public async Task Disconnect_MakesTheDeviceLost_ThenTheDriverReconnects()
    {
        await using var t = await StartNotifyingAsync();

        t.Bluez.Device.FailConnectWith = "le-connection-abort-by-local"; // out of range for a while
        t.Bluez.Characteristic.Notify(0x00, 77);                         // the last value before the link drops
        await t.Bluez.Device.DisconnectAsync();
        Assert.Equal(77, (await t.Sink.WaitUntilAsync(s => s.Count >= 1))[0].Value);

        await Eventually.TrueAsync(() => t.Driver.Health == DeviceHealth.Lost, "Lost after the disconnect");
        await Eventually.TrueAsync(() => t.Bluez.Device.ConnectCalls >= 3, "reconnect attempts with back-off");
        Assert.Equal(DeviceHealth.Lost, t.Driver.Health);

        t.Bluez.Device.FailConnectWith = null;                           // back in range
        await t.Bluez.Characteristic.WaitForStartNotifyAsync();
        await Eventually.TrueAsync(() => t.Driver.Sessions == 2, "a second session");
        t.Bluez.Characteristic.Notify(0x00, 81);
        Assert.Equal(81, (await t.Sink.WaitUntilAsync(s => s.Count >= 2))[1].Value);
        Assert.Equal(DeviceHealth.Ok, t.Driver.Health);
    }

    [Fact]
    public async Task DeviceRemovedFromBlueZ_MakesItLost_AndItIsFoundAgainWhenItReturns()
    {
        await using var t = await StartNotifyingAsync();

        t.Bluez.RemoveDevice();
        await Eventually.TrueAsync(() => t.Driver.Health == DeviceHealth.Lost, "Lost after the device object was removed");

        await t.Bluez.AddDeviceAgainAsync();
        await t.Bluez.Characteristic.WaitForStartNotifyAsync();
        t.Bluez.Characteristic.Notify(0x00, 66);
        Assert.Equal(66, (await t.Sink.WaitUntilAsync(s => s.Count >= 1))[0].Value);
        Assert.Equal(DeviceHealth.Ok, t.Driver.Health);
    }

    [Fact]
    public async Task WrongKindOfDevice_NoSuchCharacteristic_StaysLostWithoutThrowing()
    {
        await using var bluez = await FakeBluezService.StartAsync(bus.Address, Mac, HeartRateUuid);
        var driver = Driver(BleProfiles.Plx);                          // asks for 0x2A5F, device has 0x2A37
        using var cts = new CancellationTokenSource();
        var run = driver.RunAsync(new CollectingSink(), cts.Token);

        await Eventually.TrueAsync(() => driver.FailedAttempts >= 3, "several failed attempts");
        Assert.True(bluez.Device.ConnectCalls >= 1);
        Assert.False(run.IsCompleted);
        Assert.Equal(0, driver.Sessions);
        Assert.Equal(0, bluez.Characteristic.StartNotifyCalls);
        Assert.Equal(DeviceHealth.Lost, driver.Health);
        await StopAsync(cts, run);
    }

    [Fact]
    public async Task BusGoesAway_MakesTheDeviceLost_AndTheDriverKeepsTrying()
    {
        var ownBus = new PrivateDBus();
        await ownBus.InitializeAsync();
        var bluez = await FakeBluezService.StartAsync(ownBus.Address, Mac, HeartRateUuid);
        var driver = Driver(busAddress: ownBus.Address);
        using var cts = new CancellationTokenSource();
        var run = driver.RunAsync(new CollectingSink(), cts.Token);
        await bluez.Characteristic.WaitForStartNotifyAsync();
        await Eventually.TrueAsync(() => driver.Health == DeviceHealth.Ok, "Ok once notifying");

        await ownBus.DisposeAsync();                                      // dbus-daemon killed (the fake's connection dies with it)

        await Eventually.TrueAsync(() => driver.Health == DeviceHealth.Lost, "Lost when the bus went away");
        await Eventually.TrueAsync(() => driver.FailedAttempts >= 2, "reconnect attempts to the missing bus");
        Assert.False(run.IsCompleted);
        await StopAsync(cts, run);
    }

    [Fact]
    public async Task NoBluetoothDaemonOnTheBus_IsLost_AndCancellationEndsTheRun()
    {
        var driver = Driver();
        using var cts = new CancellationTokenSource();
        var run = driver.RunAsync(new CollectingSink(), cts.Token);

        await Eventually.TrueAsync(() => driver.FailedAttempts >= 3, "several failed attempts");
        Assert.False(run.IsCompleted);
        Assert.Equal(DeviceHealth.Lost, driver.Health);
        await StopAsync(cts, run);
        Assert.True(run.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task BloodPressureCuff_ByIndication_IsChartedAtItsOwnTime_OrAtArrivalWhenItsClockIsWrong()
    {
        static byte[] Stamp(DateTime t) => [(byte)t.Year, (byte)(t.Year >> 8), (byte)t.Month, (byte)t.Day, (byte)t.Hour, (byte)t.Minute, (byte)t.Second];
        await using var t = await StartNotifyingAsync(BleProfiles.BloodPressure, "00002a35-0000-1000-8000-00805f9b34fb");

        // Measured 30 s ago by the cuff's (correct) clock: 120/80 mmHg, MAP 93, pulse 72.
        var measured = DateTime.Now.AddSeconds(-30);
        measured = measured.AddTicks(-(measured.Ticks % TimeSpan.TicksPerSecond));
        t.Bluez.Characteristic.Notify([0x06, 0x78, 0x00, 0x50, 0x00, 0x5D, 0x00, .. Stamp(measured), 0x48, 0x00]);
        var samples = await t.Sink.WaitUntilAsync(s => s.Count >= 4);
        Assert.Equal([120.0, 80.0, 93.0, 72.0], samples.Take(4).Select(s => s.Value!.Value));
        Assert.Equal([StreamCodes.SystolicBp, StreamCodes.DiastolicBp, StreamCodes.MeanBp, StreamCodes.PulseRateNoninvasive], samples.Take(4).Select(s => s.Stream));
        Assert.All(samples.Take(4), s => Assert.Equal(new DateTimeOffset(measured).ToUniversalTime(), s.Timestamp));

        // A cuff whose clock was never set: charted when it arrived, counted, never at 2020.
        var before = DateTimeOffset.UtcNow;
        t.Bluez.Characteristic.Notify([0x06, 0x78, 0x00, 0x50, 0x00, 0x5D, 0x00, .. Stamp(new DateTime(2020, 1, 1)), 0x48, 0x00]);
        samples = await t.Sink.WaitUntilAsync(s => s.Count >= 8);
        Assert.All(samples.Skip(4), s => Assert.InRange(s.Timestamp, before, DateTimeOffset.UtcNow));
        Assert.Equal(4, t.Driver.ClockOffReadings);
        Assert.Equal(DeviceHealth.Ok, t.Driver.Health);
    }

    [Fact]
    public async Task ADeviceWithTheCurrentTimeService_GetsTheBoxTimeOnConnect_ARefusalIsNotFatal()
    {
        const string currentTime = "00002a2b-0000-1000-8000-00805f9b34fb";
        var before = DateTimeOffset.Now;
        await using (var t = await StartNotifyingAsync(BleProfiles.WeightScale, "00002a9d-0000-1000-8000-00805f9b34fb", currentTime))
        {
            var written = Assert.Single(t.Bluez.More[0].Written);
            Assert.Equal(10, written.Length);
            var set = new DateTime(written[0] | (written[1] << 8), written[2], written[3], written[4], written[5], written[6]);
            Assert.InRange(set, before.DateTime.AddSeconds(-1), DateTimeOffset.Now.DateTime);
            Assert.Equal(set.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)set.DayOfWeek, written[7]);
            Assert.Equal(0x02, written[9]); // adjust reason: external reference time update
            Assert.Equal(1, t.Driver.ClockWrites);
        }

        // A scale that refuses the write still reads: the clock rule guards its stamps.
        var bluez = await FakeBluezService.StartAsync(bus.Address, Mac, "00002a9d-0000-1000-8000-00805f9b34fb", currentTime);
        bluez.More[0].RefuseWritesWith = "org.bluez.Error.NotPermitted";
        var driver = Driver(BleProfiles.WeightScale);
        var sink = new CollectingSink();
        using var cts = new CancellationTokenSource();
        var run = driver.RunAsync(sink, cts.Token);
        await bluez.Characteristic.WaitForStartNotifyAsync();
        bluez.Characteristic.Notify(0x00, 0xD8, 0x36); // 70.2 kg
        var samples = await sink.WaitUntilAsync(s => s.Count >= 1);
        Assert.Equal(70.2, samples[0].Value);
        Assert.Equal(0, driver.ClockWrites);
        await StopAsync(cts, run);
        await bluez.DisposeAsync();
    }
}
