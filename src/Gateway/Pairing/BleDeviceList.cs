namespace EdgeTwin.Gateway.Pairing;

/// <summary>The answer of a scan or a listing: <c>{"devices": [...]}</c>.</summary>
internal sealed record BleDeviceList(IReadOnlyList<BleDeviceView> Devices);
