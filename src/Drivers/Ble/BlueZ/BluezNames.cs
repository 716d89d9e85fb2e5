namespace EdgeTwin.Drivers.Ble.BlueZ;

/// <summary>BlueZ's bus name, interface names and object path layout (/org/bluez/hci0/dev_AA_BB_CC_DD_EE_FF).</summary>
internal static class BluezNames
{
    public const string Service = "org.bluez";
    public const string Adapter1 = "org.bluez.Adapter1";
    public const string Device1 = "org.bluez.Device1";
    public const string GattCharacteristic1 = "org.bluez.GattCharacteristic1";
    public const string AgentManager1 = "org.bluez.AgentManager1";
    public const string Agent1 = "org.bluez.Agent1";
    public const string ObjectManager = "org.freedesktop.DBus.ObjectManager";
    public const string Properties = "org.freedesktop.DBus.Properties";

    /// <summary>The error an agent answers a request it refuses with (doc/org.bluez.Agent.rst).</summary>
    public const string Rejected = "org.bluez.Error.Rejected";

    /// <summary>Where AgentManager1 lives (doc/org.bluez.AgentManager.rst).</summary>
    public const string AgentManagerPath = "/org/bluez";

    public static string AdapterPath(string adapter) => $"/org/bluez/{adapter}";

    public static string DevicePath(string adapter, string address) => $"{AdapterPath(adapter)}/dev_{address.ToUpperInvariant().Replace(':', '_')}";
}
