namespace EdgeTwin.Drivers.Ble.BlueZ;

using Tmds.DBus;

/// <summary>BlueZ <c>org.bluez.Adapter1</c> (doc/org.bluez.Adapter.rst): discovery and forgetting a device.</summary>
[DBusInterface("org.bluez.Adapter1")]
internal interface IBluezAdapter1 : IDBusObject
{
    Task SetDiscoveryFilterAsync(IDictionary<string, object> properties);

    Task StartDiscoveryAsync();

    Task StopDiscoveryAsync();

    /// <summary>Removes the device and its pairing information (the bond) from BlueZ.</summary>
    Task RemoveDeviceAsync(ObjectPath device);

    Task<T> GetAsync<T>(string prop);
}
