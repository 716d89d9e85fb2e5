namespace EdgeTwin.Drivers.Ble.BlueZ;

/// <summary>BlueZ <c>org.bluez.Adapter1</c> (doc/org.bluez.Adapter.rst): discovery and forgetting a device.</summary>
internal sealed class BluezAdapter(BluezBus bus, string path)
{
    /// <summary>SetDiscoveryFilter with only <c>Transport</c> (<c>le</c>: health devices are LE).</summary>
    public Task SetDiscoveryFilterAsync(string transport)
    {
        using var writer = bus.Call(path, BluezNames.Adapter1, "SetDiscoveryFilter", "a{sv}");
        var filter = writer.WriteDictionaryStart();
        writer.WriteDictionaryEntryStart();
        writer.WriteString("Transport");
        writer.WriteVariantString(transport);
        writer.WriteDictionaryEnd(filter);
        return bus.SendAsync(writer.CreateMessage());
    }

    public Task StartDiscoveryAsync() => bus.CallAsync(path, BluezNames.Adapter1, "StartDiscovery");

    public Task StopDiscoveryAsync() => bus.CallAsync(path, BluezNames.Adapter1, "StopDiscovery");

    /// <summary>Removes the device and its pairing information (the bond) from BlueZ.</summary>
    public Task RemoveDeviceAsync(string device) => bus.CallAsync(path, BluezNames.Adapter1, "RemoveDevice", device);
}
