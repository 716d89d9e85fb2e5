namespace EdgeTwin.Drivers.Tests.Ble.Pairing;

using EdgeTwin.Drivers.Ble;
using EdgeTwin.Drivers.Ble.Pairing;
using EdgeTwin.Drivers.Tests.Ble.FakeBluez;
using EdgeTwin.Drivers.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Tmds.DBus;

/// <summary>
/// Scanning, pairing and forgetting against a fake bluetoothd on a private dbus-daemon: the fake
/// calls the box's exported Agent1 back over the bus, as BlueZ does (issue 19). The clock is fake:
/// scan windows and deadlines pass when the test advances it.
/// </summary>
public sealed class BlePairingTests(PrivateDBus bus) : IClassFixture<PrivateDBus>
{
    private const string Strap = "A4:C1:38:00:00:01";
    private const string Cuff = "A0:9E:1A:12:34:56";
    private const string Speaker = "5C:F3:70:AA:BB:CC";
    private const string BloodPressureService = "00001810-0000-1000-8000-00805f9b34fb";
    private const string AudioSink = "0000110b-0000-1000-8000-00805f9b34fb";
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _time = new();

    private BlePairing Pairing(string? busAddress = null) =>
        new(new BlePairingSettings("hci0", busAddress ?? bus.Address) { CallTimeout = TimeSpan.FromSeconds(30), PairTimeout = TimeSpan.FromSeconds(60) }, _time);

    private static Task<FakeBluezService> BluezAsync(string address) => FakeBluezService.StartAsync(address, Strap, "00002a37-0000-1000-8000-00805f9b34fb");

    /// <summary>A scan as the nurse starts it: the window passes once the fake has seen discovery start.</summary>
    private async Task<IReadOnlyList<BleDevice>> ScanAsync(BlePairing pairing, FakeBluezService bluez)
    {
        var scan = pairing.ScanAsync(Window, CancellationToken.None);
        await bluez.Adapter.WaitForDiscoveryAsync();
        _time.Advance(Window);
        return await scan.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>A fake BlueZ with the cuff in range, pairing by <paramref name="method"/> with <paramref name="shows"/>, found by a scan.</summary>
    private async Task<(FakeBluezService Bluez, FakeDevice Cuff, BlePairing Pairing)> CuffFoundAsync(FakePairingMethod method = FakePairingMethod.JustWorks, uint shows = 123456)
    {
        var bluez = await BluezAsync(bus.Address);
        var cuff = bluez.AddInRange(Cuff, "BP7000", -52, BloodPressureService);
        cuff.Pairing = method;
        cuff.Passkey = shows;
        var pairing = Pairing();
        await ScanAsync(pairing, bluez);
        return (bluez, cuff, pairing);
    }

    [Fact]
    public async Task Scan_ListsTheDevicesInRange_WithNameSignalAndHealthProfile_ThenStopsDiscovery()
    {
        await using var bluez = await BluezAsync(bus.Address);
        bluez.AddInRange(Cuff, "BP7000", -52, BloodPressureService);
        bluez.AddInRange(Speaker, "Kitchen speaker", -70, AudioSink);
        using var meter = new DriverMeterListener("hci0");

        var devices = await ScanAsync(Pairing(), bluez);

        Assert.Equal([Cuff, Speaker, Strap], devices.Select(d => d.Address));   // health devices first, strongest first
        var cuff = devices[0];
        Assert.Equal(("BP7000", -52, false, false), (cuff.Name, cuff.Rssi, cuff.Paired, cuff.Trusted));
        Assert.Equal([BleProfiles.BloodPressure], cuff.Profiles);
        Assert.Empty(devices[1].Profiles);
        Assert.Equal((true, (int?)null), (devices[2].Paired, devices[2].Rssi)); // known from before, not heard in this scan
        Assert.Equal("le", Assert.Single(bluez.Adapter.Filters)["Transport"]);
        Assert.Equal(1, bluez.Adapter.StopDiscoveryCalls);
        Assert.Equal(false, bluez.Adapter.Get("Discovering"));
        Assert.Equal(1, meter.Sum("edgetwin.ble.pairing", "scan"));
    }

    [Fact]
    public async Task Pair_JustWorks_PairsBondsAndTrusts_AndTheAgentIsRegisteredOnlyWhileItRuns()
    {
        var (bluez, cuff, pairing) = await CuffFoundAsync();
        await using var _ = bluez;
        using var meter = new DriverMeterListener(Cuff);

        var paired = await pairing.PairAsync(Cuff.ToLowerInvariant(), passkey: null, CancellationToken.None);

        Assert.Equal((Cuff, true, true, true), (paired.Address, paired.Paired, paired.Bonded, paired.Trusted));
        Assert.Equal((true, true, true), (cuff.Get("Paired"), cuff.Get("Bonded"), cuff.Get("Trusted")));
        Assert.Equal(["RegisterAgent KeyboardOnly", "RequestDefaultAgent", "UnregisterAgent"], bluez.Agents.Calls);
        Assert.Equal(0, bluez.Agents.Registered);
        Assert.Equal(1, meter.Sum("edgetwin.ble.pairing", "pair"));
    }

    [Fact]
    public async Task Pair_WithThePasskeyTheDeviceShows_IsAskedForItThroughTheAgent_AndPairs()
    {
        var (bluez, cuff, pairing) = await CuffFoundAsync(FakePairingMethod.Passkey, 4071);
        await using var _ = bluez;

        var paired = await pairing.PairAsync(Cuff, passkey: 4071, CancellationToken.None);

        Assert.True(paired.Paired && paired.Bonded && paired.Trusted);
        Assert.Equal(["RegisterAgent KeyboardOnly", "RequestDefaultAgent", $"RequestPasskey {cuff.ObjectPath}", "UnregisterAgent"], bluez.Agents.Calls);
    }

    [Fact]
    public async Task Pair_WithTheNumberTheDeviceShowsToConfirm_Pairs()
    {
        var (bluez, cuff, pairing) = await CuffFoundAsync(FakePairingMethod.Confirmation, 918273);
        await using var _ = bluez;

        var paired = await pairing.PairAsync(Cuff, passkey: 918273, CancellationToken.None);

        Assert.True(paired.Paired);
        Assert.Contains($"RequestConfirmation {cuff.ObjectPath}", bluez.Agents.Calls);
    }

    [Theory]
    [InlineData(FakePairingMethod.Passkey, 111111u, BlePairingFailure.PasskeyRefused)]
    [InlineData(FakePairingMethod.Passkey, null, BlePairingFailure.PasskeyMissing)]
    [InlineData(FakePairingMethod.Confirmation, 111111u, BlePairingFailure.PasskeyRefused)]
    [InlineData(FakePairingMethod.Confirmation, null, BlePairingFailure.PasskeyMissing)]
    public async Task Pair_WithAWrongOrNoPasskey_IsRefusedWithTheReason_AndTheDeviceStaysUnpairedAndUntrusted(FakePairingMethod method, uint? passkey, BlePairingFailure expected)
    {
        var (bluez, cuff, pairing) = await CuffFoundAsync(method);
        await using var _ = bluez;
        using var meter = new DriverMeterListener(Cuff);

        var refused = await Assert.ThrowsAsync<BlePairingException>(() => pairing.PairAsync(Cuff, passkey, CancellationToken.None));

        Assert.Equal(expected, refused.Failure);
        Assert.Contains(expected == BlePairingFailure.PasskeyMissing ? "give its 6 digits" : "not the one the device shows", refused.Message, StringComparison.Ordinal);
        Assert.Equal((false, false, false), (cuff.Get("Paired"), cuff.Get("Bonded"), cuff.Get("Trusted")));
        Assert.Equal(0, bluez.Agents.Registered);
        Assert.Equal(1, meter.Sum("edgetwin.ble.pairing", "pair-failed"));
    }

    [Fact]
    public async Task Pair_WhenTheDeviceNeverAnswers_EndsAtTheDeadline_CancelsThePairing_AndTheAgentIsToldToCancel()
    {
        var (bluez, cuff, pairing) = await CuffFoundAsync(FakePairingMethod.Silent);
        await using var _ = bluez;

        var pair = pairing.PairAsync(Cuff, passkey: null, CancellationToken.None);
        await Eventually.TrueAsync(() => cuff.Pending is not null, "Pair reached the device");
        var busy = await Assert.ThrowsAsync<BlePairingException>(() => pairing.ScanAsync(Window, CancellationToken.None));
        _time.Advance(TimeSpan.FromSeconds(60));
        var timedOut = await Assert.ThrowsAsync<BlePairingException>(() => pair.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal(BlePairingFailure.Busy, busy.Failure);
        Assert.Equal(BlePairingFailure.Timeout, timedOut.Failure);
        Assert.Contains("within 60 s", timedOut.Message, StringComparison.Ordinal);
        Assert.Equal(1, cuff.CancelPairingCalls);
        await Eventually.TrueAsync(() => bluez.Agents.Calls.Contains($"Cancel {cuff.ObjectPath}"), "bluetoothd told the agent to cancel");
        Assert.Equal(false, cuff.Get("Paired"));
        Assert.Equal(0, bluez.Agents.Registered);
    }

    [Fact]
    public async Task WhilePairing_TheAgentRefusesAnotherDevicesRequest_AndBluezReleasingItEndsNothingButThePairingAtItsDeadline()
    {
        var (bluez, cuff, pairing) = await CuffFoundAsync(FakePairingMethod.Silent);
        await using var _ = bluez;
        var pair = pairing.PairAsync(Cuff, passkey: 123456, CancellationToken.None);
        await Eventually.TrueAsync(() => cuff.Pending is not null, "Pair reached the device");

        // A device in range that is not the one being paired asks the box's agent for the passkey.
        var intruder = await Assert.ThrowsAsync<DBusException>(() => bluez.Agents.CallerFor()!.RequestPasskeyAsync(new ObjectPath("/org/bluez/hci0/dev_5C_F3_70_AA_BB_CC")));
        await bluez.Agents.ReleaseAllAsync();
        _time.Advance(TimeSpan.FromSeconds(60));
        var timedOut = await Assert.ThrowsAsync<BlePairingException>(() => pair.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal("org.bluez.Error.Rejected", intruder.ErrorName);
        Assert.Equal(BlePairingFailure.Timeout, timedOut.Failure);
        Assert.Equal(0, bluez.Agents.Registered);
        Assert.Equal(false, cuff.Get("Paired"));
    }

    [Fact]
    public async Task Forget_RemovesTheDeviceAndItsBond_AndAgainIsNotFound()
    {
        var (bluez, cuff, pairing) = await CuffFoundAsync();
        await using var _ = bluez;
        await pairing.PairAsync(Cuff, null, CancellationToken.None);
        using var meter = new DriverMeterListener(Cuff);

        await pairing.ForgetAsync(Cuff, CancellationToken.None);
        var again = await Assert.ThrowsAsync<BlePairingException>(() => pairing.ForgetAsync(Cuff, CancellationToken.None));

        Assert.False(bluez.Knows(cuff));
        Assert.Equal((false, false), (cuff.Get("Paired"), cuff.Get("Bonded")));
        Assert.DoesNotContain(Cuff, (await pairing.ListAsync(CancellationToken.None)).Select(d => d.Address));
        Assert.Equal(BlePairingFailure.NotFound, again.Failure);
        Assert.Equal((1, 1), (meter.Sum("edgetwin.ble.pairing", "forget"), meter.Sum("edgetwin.ble.pairing", "forget-failed")));
    }

    [Fact]
    public async Task Pair_ADeviceBluezDoesNotKnow_IsNotFound_AndAMalformedAddressOrPasskeyIsInvalid_NothingChanges()
    {
        await using var bluez = await BluezAsync(bus.Address);
        var cuff = bluez.AddInRange(Cuff, "BP7000", -52, BloodPressureService);
        var pairing = Pairing();

        var unknown = await Assert.ThrowsAsync<BlePairingException>(() => pairing.PairAsync(Cuff, null, CancellationToken.None)); // never scanned
        var malformed = await Assert.ThrowsAsync<BlePairingException>(() => pairing.PairAsync("A0:9E:1A:12:34", null, CancellationToken.None));
        var longPasskey = await Assert.ThrowsAsync<BlePairingException>(() => pairing.PairAsync(Strap, 1_000_000, CancellationToken.None));

        Assert.Equal((BlePairingFailure.NotFound, BlePairingFailure.Invalid, BlePairingFailure.Invalid), (unknown.Failure, malformed.Failure, longPasskey.Failure));
        Assert.Contains("scan first", unknown.Message, StringComparison.Ordinal);
        Assert.Empty(bluez.Agents.Calls);
        Assert.Equal(false, cuff.Get("Paired"));
        Assert.Equal(false, bluez.Device.Get("Trusted"));
    }

    [Fact]
    public async Task NoBluezOnTheBus_OrNoBusAtAll_IsUnavailable_WithTheReason()
    {
        var noBluez = await Assert.ThrowsAsync<BlePairingException>(() => Pairing().ListAsync(CancellationToken.None));
        var noBus = await Assert.ThrowsAsync<BlePairingException>(() => Pairing("unix:path=/nonexistent/edgetwin-bus").ListAsync(CancellationToken.None));

        Assert.Equal(BlePairingFailure.Unavailable, noBluez.Failure);
        Assert.Contains("is bluetoothd running?", noBluez.Message, StringComparison.Ordinal);
        Assert.Equal(BlePairingFailure.Unavailable, noBus.Failure);
        Assert.Contains("no D-Bus bus at unix:path=/nonexistent/edgetwin-bus", noBus.Message, StringComparison.Ordinal);
    }
}
