namespace EdgeTwin.Drivers.Ble.Pairing;

/// <summary>
/// A Bluetooth device BlueZ knows on the adapter: found by a scan, paired, or both. <see cref="Rssi"/>
/// is null when it was not heard in the last discovery; <see cref="Profiles"/> are the <c>ble-gatt</c>
/// profiles whose health service it advertises (empty: not a device the box can read).
/// </summary>
public sealed record BleDevice(
    string Address,
    string? Name,
    int? Rssi,
    IReadOnlyList<string> Uuids,
    IReadOnlyList<string> Profiles,
    bool Paired,
    bool Bonded,
    bool Trusted,
    bool Connected);
