namespace EdgeTwin.Drivers.Ble.BlueZ;

using Tmds.DBus;

/// <summary>BlueZ <c>org.bluez.Device1</c> (doc/org.bluez.Device.rst): the members the driver and the pairing use.</summary>
[DBusInterface("org.bluez.Device1")]
internal interface IBluezDevice1 : IDBusObject
{
    Task ConnectAsync();

    /// <summary>Pairs (and bonds) the device; the registered agent is asked for what the pairing method needs.</summary>
    Task PairAsync();

    Task CancelPairingAsync();

    Task<T> GetAsync<T>(string prop);

    Task SetAsync(string prop, object val);

    Task<IDisposable> WatchPropertiesAsync(Action<PropertyChanges> handler);
}
