namespace EdgeTwin.Drivers.Tests.Ble;

using EdgeTwin.Drivers.Ble;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Drivers.Tests.Support;

/// <summary>
/// Run on a box with a radio, BlueZ and a worn heart-rate strap paired as hardware/ble.md describes:
/// <c>EDGETWIN_BLE_HR_ADDRESS=A4:C1:38:12:34:56 dotnet test --filter Category=Hardware</c>. Filtered out elsewhere.
/// </summary>
[Trait("Category", "Hardware")]
public class RealBleTests
{
    [Fact]
    public async Task HeartRateStrap_OnTheSystemBus_GivesAValidHeartRateWithin30Seconds()
    {
        var address = Environment.GetEnvironmentVariable("EDGETWIN_BLE_HR_ADDRESS")
            ?? throw new InvalidOperationException("Set EDGETWIN_BLE_HR_ADDRESS to the MAC of a paired, worn heart-rate strap.");
        var driver = new BleGattDriver("ble-smoke", new BleGattSettings(address, "hci0", null, BleProfiles.HeartRate), TimeProvider.System);
        var sink = new CollectingSink();
        using var cts = new CancellationTokenSource();
        var run = driver.RunAsync(sink, cts.Token);

        var samples = await sink.WaitUntilAsync(s => s.Any(x => x.IsValid), TimeSpan.FromSeconds(30));

        Assert.InRange(samples.First(x => x.IsValid).Value!.Value, 30, 200);
        Assert.Equal(DeviceHealth.Ok, driver.Health);
        await cts.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
