namespace EdgeTwin.Drivers.Ble.BlueZ;

using Tmds.DBus;

/// <summary>BlueZ <c>org.bluez.GattCharacteristic1</c>: notifications arrive as changes of its <c>Value</c> property.</summary>
[DBusInterface("org.bluez.GattCharacteristic1")]
internal interface IBluezGattCharacteristic1 : IDBusObject
{
    Task StartNotifyAsync();

    Task<byte[]> ReadValueAsync(IDictionary<string, object> options);

    Task WriteValueAsync(byte[] value, IDictionary<string, object> options);

    Task<T> GetAsync<T>(string prop);

    Task<IDisposable> WatchPropertiesAsync(Action<PropertyChanges> handler);
}
