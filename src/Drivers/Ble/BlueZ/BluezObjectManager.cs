namespace EdgeTwin.Drivers.Ble.BlueZ;

using Tmds.DBus.Protocol;

/// <summary><c>org.freedesktop.DBus.ObjectManager</c> at BlueZ's root: every adapter, device and GATT object.</summary>
internal sealed class BluezObjectManager(BluezBus bus)
{
    private const string Root = "/";

    public Task<BluezObjects> GetManagedObjectsAsync()
    {
        using var writer = bus.Call(Root, BluezNames.ObjectManager, "GetManagedObjects");
        return bus.CallAsync(writer.CreateMessage(), "GetManagedObjects", "a{oa{sa{sv}}}", BluezObjects.Read);
    }

    /// <summary>InterfacesRemoved: the object path and the interfaces it no longer has.</summary>
    public Task<IDisposable> WatchInterfacesRemovedAsync(Action<BluezSignal<(string Path, string[] Interfaces)>> handler) =>
        bus.WatchAsync(Root, BluezNames.ObjectManager, "InterfacesRemoved", null, "oas", static (ref Reader r) => (r.ReadObjectPathAsString(), r.ReadArrayOfString()), handler);
}
