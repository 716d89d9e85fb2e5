namespace EdgeTwin.Drivers.Ble.BlueZ;

using Tmds.DBus;

/// <summary>BlueZ <c>org.bluez.Device1</c> (doc/org.bluez.Device.rst): the members this driver uses.</summary>
[DBusInterface("org.bluez.Device1")]
internal interface IBluezDevice1 : IDBusObject
{
    Task ConnectAsync();

    Task<T> GetAsync<T>(string prop);

    Task<IDisposable> WatchPropertiesAsync(Action<PropertyChanges> handler);
}
