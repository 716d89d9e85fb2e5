namespace EdgeTwin.Drivers.Ble.BlueZ;

using Tmds.DBus.Protocol;

/// <summary>BlueZ <c>org.bluez.Device1</c> (doc/org.bluez.Device.rst): the members the driver and the pairing use.</summary>
internal sealed class BluezDevice(BluezBus bus, string path)
{
    public string Path => path;

    public Task ConnectAsync() => bus.CallAsync(path, BluezNames.Device1, "Connect");

    /// <summary>Pairs (and bonds) the device; the registered agent is asked for what the pairing method needs.</summary>
    public Task PairAsync() => bus.CallAsync(path, BluezNames.Device1, "Pair");

    public Task CancelPairingAsync() => bus.CallAsync(path, BluezNames.Device1, "CancelPairing");

    public Task<bool> GetBoolAsync(string property) => bus.GetBoolAsync(path, BluezNames.Device1, property);

    public Task SetAsync(string property, bool value) => bus.SetAsync(path, BluezNames.Device1, property, value);

    public Task<IDisposable> WatchPropertiesAsync(Action<BluezSignal<IReadOnlyDictionary<string, VariantValue>>> handler) =>
        bus.WatchPropertiesAsync(path, BluezNames.Device1, handler);
}
