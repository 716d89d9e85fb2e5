namespace EdgeTwin.Gateway.Pairing;

/// <summary>A Bluetooth device as the pairing API shows it, with the ids of the <c>ble-gatt</c> devices configured at its address.</summary>
internal sealed record BleDeviceView(
    string Address,
    string? Name,
    int? Rssi,
    IReadOnlyList<string> Profiles,
    IReadOnlyList<string> Uuids,
    bool Paired,
    bool Bonded,
    bool Trusted,
    bool Connected,
    IReadOnlyList<string> Configured);
