namespace EdgeTwin.Drivers.Ble.BlueZ;

using Tmds.DBus.Protocol;

/// <summary>BlueZ <c>org.bluez.GattCharacteristic1</c>: notifications arrive as changes of its <c>Value</c> property.</summary>
internal sealed class BluezGattCharacteristic(BluezBus bus, string path)
{
    public string Path => path;

    public Task StartNotifyAsync() => bus.CallAsync(path, BluezNames.GattCharacteristic1, "StartNotify");

    /// <summary>ReadValue without options.</summary>
    public Task<byte[]> ReadValueAsync()
    {
        using var writer = bus.Call(path, BluezNames.GattCharacteristic1, "ReadValue", "a{sv}");
        writer.WriteDictionaryEnd(writer.WriteDictionaryStart());
        return bus.CallAsync(writer.CreateMessage(), "ReadValue", "ay", static (ref Reader r) => r.ReadArrayOfByte());
    }

    /// <summary>WriteValue without options (a write request: BlueZ answers once the device has).</summary>
    public Task WriteValueAsync(byte[] value)
    {
        using var writer = bus.Call(path, BluezNames.GattCharacteristic1, "WriteValue", "aya{sv}");
        writer.WriteArray(value);
        writer.WriteDictionaryEnd(writer.WriteDictionaryStart());
        return bus.SendAsync(writer.CreateMessage());
    }

    public Task<IDisposable> WatchPropertiesAsync(Action<BluezSignal<IReadOnlyDictionary<string, VariantValue>>> handler) =>
        bus.WatchPropertiesAsync(path, BluezNames.GattCharacteristic1, handler);
}
