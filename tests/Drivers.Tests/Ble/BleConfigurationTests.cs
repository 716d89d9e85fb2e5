namespace EdgeTwin.Drivers.Tests.Ble;

using EdgeTwin.Drivers.Ble;
using EdgeTwin.Drivers.Configuration;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Drivers.Tests.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;

public class BleConfigurationTests
{
    private static IConfiguration Config(params (string Key, string Value)[] values) => DriverConfigurationTests.Config(values);

    private static (string, string)[] Ble(int index, string id, params (string Key, string Value)[] settings) =>
        [($"Devices:{index}:Type", "ble-gatt"), ($"Devices:{index}:Id", id), .. settings.Select(s => ($"Devices:{index}:{s.Key}", s.Value))];

    [Fact]
    public async Task BleGattDevice_IsBuiltWithItsStreams_AndDefaultsToHci0AndTheSystemBus()
    {
        var drivers = new DriverFactory(new FakeTimeProvider()).Create(Config(
            [("Simulation:Beds", "0"), .. Ble(0, "hr-strap", ("Address", "a4:c1:38:12:34:56"), ("Profile", "heart-rate")),
             .. Ble(1, "oxi", ("Address", "A4:C1:38:00:00:01"), ("Profile", "plx"), ("Adapter", "hci1"), ("Bus", "unix:path=/tmp/private-bus"))]));

        var strap = Assert.IsType<BleGattDriver>(drivers[0]);
        Assert.Equal("ble-hci0/A4:C1:38:12:34:56", strap.Info.BusAddress);
        Assert.Equal([StreamCodes.HeartRate.Code], strap.Info.Streams.Select(s => s.Code));
        Assert.Equal(DeviceHealth.Lost, strap.Health);
        var oximeter = Assert.IsType<BleGattDriver>(drivers[1]);
        Assert.Equal("ble-hci1/A4:C1:38:00:00:01", oximeter.Info.BusAddress);
        Assert.Equal([StreamCodes.SpO2.Code, StreamCodes.PulseRateOximetry.Code], oximeter.Info.Streams.Select(s => s.Code));
        foreach (var driver in drivers)
        {
            await driver.DisposeAsync();
        }
    }

    [Fact]
    public void Settings_AreReadAsTheyAre()
    {
        var options = DriverConfiguration.Read(Config(Ble(0, "t", ("Address", "00:11:22:33:44:55"), ("Profile", "Thermometer"), ("Bus", "unix:path=/run/dbus/system_bus_socket"))));

        var settings = BleGattSettings.Read(options.Devices[0]);
        Assert.Equal(new BleGattSettings("00:11:22:33:44:55", "hci0", "unix:path=/run/dbus/system_bus_socket", "thermometer"), settings);
        Assert.Equal("/org/bluez/hci0/dev_00_11_22_33_44_55", settings.DevicePath);
    }

    [Theory]
    [InlineData("Address", "AA:BB:CC:DD:EE")]          // five octets
    [InlineData("Address", "AA-BB-CC-DD-EE-FF")]       // wrong separator
    [InlineData("Address", "0x57")]                    // an I2C address
    [InlineData("Adapter", "bluetooth0")]
    [InlineData("Profile", "sphygmograph")]            // not a profile
    [InlineData("Bus", "system")]                      // not a D-Bus address
    public void BadSetting_FailsNamingDeviceAndKey_AndBuildsNothing(string key, string value)
    {
        (string, string)[] good = [("Address", "AA:BB:CC:DD:EE:FF"), ("Profile", "heart-rate")];
        var settings = good.Where(s => s.Item1 != key).Append((key, value)).ToArray();

        var error = Assert.Throws<DriverConfigurationException>(() => new DriverFactory(new FakeTimeProvider()).Create(Config(Ble(0, "b1", settings))));

        Assert.Contains($"b1, ble-gatt):{key}: '{value}'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Address")]
    [InlineData("Profile")]
    public void MissingRequiredSetting_IsRejected(string key)
    {
        (string, string)[] good = [("Address", "AA:BB:CC:DD:EE:FF"), ("Profile", "heart-rate")];

        var error = Assert.Throws<DriverConfigurationException>(() => DriverConfiguration.Read(Config(Ble(0, "b1", [.. good.Where(s => s.Item1 != key)]))));

        Assert.Contains($"b1, ble-gatt):{key}: ''", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SameDeviceTwice_IsRejected()
    {
        var error = Assert.Throws<DriverConfigurationException>(() => DriverConfiguration.Read(Config(
            [.. Ble(0, "a", ("Address", "AA:BB:CC:DD:EE:FF"), ("Profile", "heart-rate")), .. Ble(1, "b", ("Address", "aa:bb:cc:dd:ee:ff"), ("Profile", "plx"))])));

        Assert.StartsWith("Devices:1:Address", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void I2cDevices_StillReadAddressAndBusAsNumbers()
    {
        var options = DriverConfiguration.Read(Config(
            ("Devices:0:Type", "mlx90614"), ("Devices:0:Id", "t1"), ("Devices:0:Address", "0x5B"), ("Devices:0:Bus", "3")));

        Assert.Equal(0x5B, options.Devices[0].Address);
        Assert.Equal(3, options.Devices[0].Bus);
        Assert.Empty(options.Devices[0].Settings);
    }
}
