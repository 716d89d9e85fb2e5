namespace EdgeTwin.Drivers.Ble;

using System.Text.RegularExpressions;
using EdgeTwin.Drivers.Ble.BlueZ;
using EdgeTwin.Drivers.Configuration;
using EdgeTwin.Drivers.Hardware;

/// <summary>
/// Where a <c>ble-gatt</c> device is: its MAC address, the adapter, the D-Bus address of the bus
/// BlueZ is on (null = the system bus) and the profile that picks the characteristic.
/// </summary>
internal sealed partial record BleGattSettings(string Address, string Adapter, string? BusAddress, string Profile)
{
    /// <summary>How long Connect, StartNotify and the other BlueZ calls may take (a BLE connect can take seconds).</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a meter may take to send its stored records and answer the Record Access Control Point.</summary>
    public TimeSpan RecordAccessTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public ProbeBackoff Backoff { get; init; } = ProbeBackoff.Default;

    public string DevicePath => BluezNames.DevicePath(Adapter, Address);

    /// <summary>Reads and checks a device entry; throws <see cref="DriverConfigurationException"/> naming the key.</summary>
    public static BleGattSettings Read(DeviceOptions device)
    {
        var address = device.Settings.TryGetValue("Address", out var a) ? a.Trim() : "";
        var adapter = device.Settings.TryGetValue("Adapter", out var h) ? h.Trim() : "hci0";
        var profile = device.Settings.TryGetValue("Profile", out var p) ? p.Trim().ToLowerInvariant() : "";
        var bus = device.Settings.TryGetValue("Bus", out var b) && !string.IsNullOrWhiteSpace(b) ? b.Trim() : null;
        Require(device, "Address", address, MacPattern().IsMatch(address), "a Bluetooth MAC address like AA:BB:CC:DD:EE:FF");
        Require(device, "Adapter", adapter, AdapterPattern().IsMatch(adapter), "an adapter name like hci0");
        Require(device, "Profile", profile, BleProfiles.Names.Contains(profile), string.Join(", ", BleProfiles.Names));
        Require(device, "Bus", bus ?? "", bus is null || bus.Contains('=', StringComparison.Ordinal), "a D-Bus address like unix:path=/run/dbus/system_bus_socket (or nothing: the system bus)");
        return new BleGattSettings(address.ToUpperInvariant(), adapter, bus, profile);
    }

    private static void Require(DeviceOptions device, string key, string text, bool ok, string allowed)
    {
        if (!ok)
        {
            throw new DriverConfigurationException($"Devices ({device.Id}, {device.Type}):{key}: '{text}' is not valid; expected {allowed}.");
        }
    }

    [GeneratedRegex("^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$")]
    private static partial Regex MacPattern();

    [GeneratedRegex("^hci[0-9]{1,3}$")]
    private static partial Regex AdapterPattern();
}
