namespace EdgeTwin.Drivers.Ble.Gatt;

using System.Globalization;

/// <summary>16-bit SIG-assigned numbers expand on the Bluetooth Base UUID (Core spec Vol 3 Part B 2.5.1).</summary>
internal static class BluetoothUuid
{
    public static string From16(ushort assigned) =>
        string.Create(CultureInfo.InvariantCulture, $"0000{assigned:x4}-0000-1000-8000-00805f9b34fb");
}
