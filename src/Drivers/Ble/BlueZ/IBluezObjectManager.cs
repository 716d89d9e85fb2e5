namespace EdgeTwin.Drivers.Ble.BlueZ;

using Tmds.DBus;

/// <summary><c>org.freedesktop.DBus.ObjectManager</c> at BlueZ's root: every adapter, device and GATT object.</summary>
[DBusInterface("org.freedesktop.DBus.ObjectManager")]
internal interface IBluezObjectManager : IDBusObject
{
    Task<IDictionary<ObjectPath, IDictionary<string, IDictionary<string, object>>>> GetManagedObjectsAsync();

    Task<IDisposable> WatchInterfacesRemovedAsync(Action<(ObjectPath Path, string[] Interfaces)> handler, Action<Exception>? onError = null);
}
