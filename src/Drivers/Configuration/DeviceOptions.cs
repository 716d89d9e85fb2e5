namespace EdgeTwin.Drivers.Configuration;

/// <summary>
/// One entry of the <c>Devices</c> configuration section: a real (or replayed) device on this box.
/// <c>Type</c> picks the driver (see <see cref="DeviceTypes"/>); bus, address and pins say where it is.
/// </summary>
public sealed class DeviceOptions
{
    /// <summary>Driver type, one of <see cref="DeviceTypes.All"/>.</summary>
    public string Type { get; set; } = "";

    /// <summary>Device id as it appears in records and the twin; unique on the box.</summary>
    public string Id { get; set; } = "";

    /// <summary>I2C bus number (<c>/dev/i2c-1</c> on a Raspberry Pi).</summary>
    public int Bus { get; set; } = 1;

    /// <summary>7-bit I2C address; null = the chip's default address. (For <c>hl7-mllp</c> the key holds an IP address, for <c>ble-gatt</c> a MAC and <c>Bus</c> a D-Bus address; those are kept in <see cref="Settings"/>.)</summary>
    public int? Address { get; set; }

    /// <summary>Driver-specific settings (pins, rates, calibration), by name, as configuration strings.</summary>
    public IDictionary<string, string> Settings { get; } = new SortedDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
}
