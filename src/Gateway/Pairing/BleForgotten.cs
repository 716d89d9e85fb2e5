namespace EdgeTwin.Gateway.Pairing;

/// <summary>The answer of <c>DELETE /ble/devices/{address}</c>: the address BlueZ forgot, upper case.</summary>
internal sealed record BleForgotten(string Forgotten);
