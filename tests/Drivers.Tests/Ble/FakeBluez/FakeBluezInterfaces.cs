namespace EdgeTwin.Drivers.Tests.Ble.FakeBluez;

using Tmds.DBus;

// The server side of BlueZ's D-Bus API as the fake exports it, written from BlueZ's documentation
// independently of the driver's client-side interfaces. Tmds.DBus maps the Get/GetAll/Set/WatchProperties
// members of each interface to org.freedesktop.DBus.Properties for that interface.

[DBusInterface("org.freedesktop.DBus.ObjectManager")]
public interface IFakeObjectManager : IDBusObject
{
    Task<IDictionary<ObjectPath, IDictionary<string, IDictionary<string, object>>>> GetManagedObjectsAsync();

    Task<IDisposable> WatchInterfacesAddedAsync(Action<(ObjectPath Path, IDictionary<string, IDictionary<string, object>> Interfaces)> handler);

    Task<IDisposable> WatchInterfacesRemovedAsync(Action<(ObjectPath Path, string[] Interfaces)> handler);
}

[DBusInterface("org.bluez.Adapter1")]
public interface IFakeAdapter1 : IDBusObject
{
    Task<object> GetAsync(string prop);

    Task<IDictionary<string, object>> GetAllAsync();

    Task SetAsync(string prop, object val);

    Task<IDisposable> WatchPropertiesAsync(Action<PropertyChanges> handler);

    Task SetDiscoveryFilterAsync(IDictionary<string, object> properties);

    Task StartDiscoveryAsync();

    Task StopDiscoveryAsync();

    Task RemoveDeviceAsync(ObjectPath device);
}

[DBusInterface("org.bluez.AgentManager1")]
public interface IFakeAgentManager1 : IDBusObject
{
    Task RegisterAgentAsync(ObjectPath agent, string capability);

    Task UnregisterAgentAsync(ObjectPath agent);

    Task RequestDefaultAgentAsync(ObjectPath agent);
}

/// <summary>The client side of a pairing agent, as bluetoothd calls it (doc/org.bluez.Agent.rst).</summary>
[DBusInterface("org.bluez.Agent1")]
public interface IFakeAgentCaller : IDBusObject
{
    Task ReleaseAsync();

    Task<uint> RequestPasskeyAsync(ObjectPath device);

    Task DisplayPasskeyAsync(ObjectPath device, uint passkey, ushort entered);

    Task RequestConfirmationAsync(ObjectPath device, uint passkey);

    Task CancelAsync();
}

/// <summary>Agent1.RequestPasskey called with a string where BlueZ documents an object path (a malformed call, for the agent's refusal).</summary>
[DBusInterface("org.bluez.Agent1")]
public interface IFakeMalformedAgentCaller : IDBusObject
{
    Task<uint> RequestPasskeyAsync(string device);
}

/// <summary>Introspection, by which the fake finds which bus peer exports the agent it was given (Tmds.DBus does not tell an exported method its caller).</summary>
[DBusInterface("org.freedesktop.DBus.Introspectable")]
public interface IFakeIntrospectable : IDBusObject
{
    Task<string> IntrospectAsync();
}

[DBusInterface("org.bluez.Device1")]
public interface IFakeDevice1 : IDBusObject
{
    Task<object> GetAsync(string prop);

    Task<IDictionary<string, object>> GetAllAsync();

    Task SetAsync(string prop, object val);

    Task<IDisposable> WatchPropertiesAsync(Action<PropertyChanges> handler);

    Task ConnectAsync();

    Task DisconnectAsync();

    Task PairAsync();

    Task CancelPairingAsync();
}

[DBusInterface("org.bluez.GattService1")]
public interface IFakeGattService1 : IDBusObject
{
    Task<object> GetAsync(string prop);

    Task<IDictionary<string, object>> GetAllAsync();

    Task SetAsync(string prop, object val);

    Task<IDisposable> WatchPropertiesAsync(Action<PropertyChanges> handler);
}

[DBusInterface("org.bluez.GattCharacteristic1")]
public interface IFakeGattCharacteristic1 : IDBusObject
{
    Task<object> GetAsync(string prop);

    Task<IDictionary<string, object>> GetAllAsync();

    Task SetAsync(string prop, object val);

    Task<IDisposable> WatchPropertiesAsync(Action<PropertyChanges> handler);

    Task StartNotifyAsync();

    Task StopNotifyAsync();

    Task<byte[]> ReadValueAsync(IDictionary<string, object> options);

    Task WriteValueAsync(byte[] value, IDictionary<string, object> options);
}
