namespace EdgeTwin.Drivers.Tests.Ble;

using EdgeTwin.Drivers.Ble;
using EdgeTwin.Drivers.Ble.Pairing;
using EdgeTwin.Drivers.Hardware;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Drivers.Tests.Ble.FakeBluez;
using EdgeTwin.Drivers.Tests.Support;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Tmds.DBus;

/// <summary>
/// What the box does with D-Bus traffic that is not what BlueZ documents, the fake bluetoothd (on the
/// reflection-based Tmds.DBus) sending it over a private dbus-daemon to the gateway's hand-written
/// proxies (Tmds.DBus.Protocol): a signal or reply of another type is refused with an error that
/// names it and changes nothing; the pairing agent answers only BlueZ, and only with the documented arguments.
/// </summary>
public sealed class MalformedBluezTests(PrivateDBus bus) : IClassFixture<PrivateDBus>
{
    private const string Mac = "A4:C1:38:12:34:56";
    private const string HeartRateUuid = "00002a37-0000-1000-8000-00805f9b34fb";
    // Its own address: test classes run at once and share the drivers' meter.
    private const string Cuff = "A0:9E:1A:00:00:99";

    private BleGattDriver Driver(FakeLogger logger) => new(
        "ble-malformed",
        new BleGattSettings(Mac, "hci0", bus.Address, BleProfiles.HeartRate)
        {
            Backoff = new ProbeBackoff(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(200)),
            CallTimeout = TimeSpan.FromSeconds(5),
        },
        TimeProvider.System,
        logger);

    [Fact]
    public async Task SignalsWithAValueOfAnotherType_AreLoggedCountedAndIgnored_AndTheSessionGoesOn()
    {
        await using var bluez = await FakeBluezService.StartAsync(bus.Address, Mac, HeartRateUuid);
        var logger = new FakeLogger();
        var driver = Driver(logger);
        var sink = new CollectingSink();
        using var cts = new CancellationTokenSource();
        var run = driver.RunAsync(sink, cts.Token);
        await bluez.Characteristic.WaitForStartNotifyAsync();
        await Eventually.TrueAsync(() => driver.Health == DeviceHealth.Ok, "Ok once notifying");

        bluez.Characteristic.Set("Value", "64 bpm");    // a string where BlueZ sends bytes
        bluez.Device.Set("Connected", "no");            // a string where BlueZ sends a boolean
        bluez.Characteristic.Notify(0x06, 72);          // then a good notification
        var samples = await sink.WaitUntilAsync(s => s.Count >= 1);

        Assert.Equal(72, Assert.Single(samples).Value);
        Assert.Equal(2, driver.MalformedSignals);
        Assert.Equal(0, driver.MalformedNotifications);
        Assert.Equal((1L, 0L, DeviceHealth.Ok), (driver.Sessions, driver.FailedAttempts, driver.Health));
        var logged = logger.Collector.GetSnapshot().Where(r => r.Id.Id == 4530).Select(r => r.Message).ToList();
        Assert.Equal(2, logged.Count);
        Assert.Contains("Value changed to a value of type String, not bytes", logged[0], StringComparison.Ordinal);
        Assert.Contains("Connected changed to a value of type String, not a boolean", logged[1], StringComparison.Ordinal);
        await cts.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task SignalsFromAPeerThatIsNotBluez_ForTheSameObjects_AreNotTaken()
    {
        await using var bluez = await FakeBluezService.StartAsync(bus.Address, Mac, HeartRateUuid);
        var driver = Driver(new FakeLogger());
        var sink = new CollectingSink();
        using var cts = new CancellationTokenSource();
        var run = driver.RunAsync(sink, cts.Token);
        await bluez.Characteristic.WaitForStartNotifyAsync();
        await Eventually.TrueAsync(() => driver.Health == DeviceHealth.Ok, "Ok once notifying");

        // Another process exports objects at BlueZ's paths and sends their PropertiesChanged: a reading and a disconnect.
        using var spoofer = new Connection(bus.Address);
        await spoofer.ConnectAsync();
        var device = new FakeDevice(bluez.Device.ObjectPath, bluez.Adapter.ObjectPath, Mac);
        var characteristic = new FakeCharacteristic(bluez.Characteristic.ObjectPath, bluez.Service.ObjectPath, HeartRateUuid);
        await spoofer.RegisterObjectsAsync([device, characteristic]);
        characteristic.Notify(0x06, 199);
        device.Set("Connected", false);
        await spoofer.ListServicesAsync(); // a round trip: the bus has routed both signals before BlueZ's next one
        bluez.Characteristic.Notify(0x06, 72);
        var samples = await sink.WaitUntilAsync(s => s.Count >= 1);

        Assert.Equal(72, Assert.Single(samples).Value);
        Assert.Equal((1L, 0L, 0L, DeviceHealth.Ok), (driver.Sessions, driver.FailedAttempts, driver.MalformedSignals, driver.Health));
        Assert.Equal(1, bluez.Device.ConnectCalls);
        await cts.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task AConnectedPropertyOfAnotherType_FailsTheAttemptNamingIt_AndTheDeviceIsNotConnected()
    {
        await using var bluez = await FakeBluezService.StartAsync(bus.Address, Mac, HeartRateUuid);
        bluez.Device.Set("Connected", "yes");
        var logger = new FakeLogger();
        var driver = Driver(logger);
        using var cts = new CancellationTokenSource();
        var run = driver.RunAsync(new CollectingSink(), cts.Token);

        await Eventually.TrueAsync(() => driver.FailedAttempts >= 2, "failed attempts");

        Assert.Equal((0, 0), (bluez.Device.ConnectCalls, bluez.Characteristic.StartNotifyCalls));
        Assert.Equal((0L, DeviceHealth.Lost), (driver.Sessions, driver.Health));
        var failure = logger.Collector.GetSnapshot().First(r => r.Id.Id == 4502).Message;
        Assert.Contains("BluezReplyException", failure, StringComparison.Ordinal);
        Assert.Contains("BlueZ answered Get Connected with a value of type String, not the boolean org.bluez.Device1 documents", failure, StringComparison.Ordinal);
        await cts.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Pair_WhenBluezAnswersPairedWithAnotherType_IsUnavailableNamingIt_AndNothingChanges()
    {
        var time = new FakeTimeProvider();
        await using var bluez = await FakeBluezService.StartAsync(bus.Address, Mac, HeartRateUuid);
        var cuff = bluez.AddInRange(Cuff, "BP7000", -52, "00001810-0000-1000-8000-00805f9b34fb");
        var pairing = Pairing(time);
        await ScanAsync(pairing, bluez, time);
        cuff.Set("Paired", "no");
        using var meter = new DriverMeterListener(Cuff);

        var refused = await Assert.ThrowsAsync<BlePairingException>(() => pairing.PairAsync(Cuff, 123456, CancellationToken.None));

        Assert.Equal(BlePairingFailure.Unavailable, refused.Failure);
        Assert.Contains("BlueZ answered Get Paired with a value of type String", refused.Message, StringComparison.Ordinal);
        Assert.Equal(false, cuff.Get("Trusted"));
        Assert.Empty(bluez.Agents.Calls);
        Assert.Equal(1, meter.Sum("edgetwin.ble.pairing", "pair-failed"));
    }

    [Fact]
    public async Task TheAgent_RefusesAPeerThatIsNotBluez_AndACallWithOtherArguments_ChangingNothing()
    {
        var time = new FakeTimeProvider();
        await using var bluez = await FakeBluezService.StartAsync(bus.Address, Mac, HeartRateUuid);
        var cuff = bluez.AddInRange(Cuff, "BP7000", -52, "00001810-0000-1000-8000-00805f9b34fb");
        cuff.Pairing = FakePairingMethod.Silent;
        var pairing = Pairing(time);
        await ScanAsync(pairing, bluez, time);
        using var stranger = new Connection(bus.Address);
        var strangerName = (await stranger.ConnectAsync()).LocalName;
        using var strangerMeter = new DriverMeterListener(strangerName);
        using var bluezMeter = new DriverMeterListener(bluez.Agents.Self);
        var pair = pairing.PairAsync(Cuff, passkey: 424242, CancellationToken.None);
        await Eventually.TrueAsync(() => cuff.Pending is not null, "Pair reached the device");

        // Another process on the bus asks the box's agent for the passkey the nurse gave.
        var notBluez = await Assert.ThrowsAsync<DBusException>(() => bluez.Agents.CallerFor<IFakeAgentCaller>(stranger)!.RequestPasskeyAsync(cuff.ObjectPath));
        // BlueZ itself, with a string where the device's object path belongs.
        var malformed = await Assert.ThrowsAsync<DBusException>(() => bluez.Agents.CallerFor<IFakeMalformedAgentCaller>()!.RequestPasskeyAsync(cuff.ObjectPath.ToString()));
        // The agent still answers BlueZ's proper request for the device being paired.
        var passkey = await bluez.Agents.CallerFor()!.RequestPasskeyAsync(cuff.ObjectPath);
        time.Advance(TimeSpan.FromSeconds(60));
        var timedOut = await Assert.ThrowsAsync<BlePairingException>(() => pair.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal(("org.bluez.Error.Rejected", "org.freedesktop.DBus.Error.InvalidArgs"), (notBluez.ErrorName, malformed.ErrorName));
        Assert.Contains($"is not BlueZ ({bluez.Agents.Self})", notBluez.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("its arguments are (s), not the documented (o)", malformed.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(424242u, passkey);
        Assert.Equal(BlePairingFailure.Timeout, timedOut.Failure);
        Assert.Equal(false, cuff.Get("Paired"));
        Assert.Equal(0, bluez.Agents.Registered);
        Assert.Equal((1, 1), (strangerMeter.Sum("edgetwin.ble.pairing", "agent-refused"), bluezMeter.Sum("edgetwin.ble.pairing", "agent-refused")));
    }

    private BlePairing Pairing(FakeTimeProvider time) =>
        new(new BlePairingSettings("hci0", bus.Address) { CallTimeout = TimeSpan.FromSeconds(30), PairTimeout = TimeSpan.FromSeconds(60) }, time);

    private static async Task ScanAsync(BlePairing pairing, FakeBluezService bluez, FakeTimeProvider time)
    {
        var scan = pairing.ScanAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        await bluez.Adapter.WaitForDiscoveryAsync();
        time.Advance(TimeSpan.FromSeconds(10));
        await scan.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
