namespace EdgeTwin.Drivers.Ble;

/// <summary>
/// A characteristic value as it arrived, stamped when the gateway received it. <see cref="Context"/>:
/// from the Glucose Measurement Context (0x2A34) rather than the profile's characteristic.
/// </summary>
internal readonly record struct BleNotification(DateTimeOffset ReceivedAt, byte[] Value, bool Context = false);
