namespace EdgeTwin.Drivers.Ble;

/// <summary>A characteristic value as it arrived, stamped when the gateway received it.</summary>
internal readonly record struct BleNotification(DateTimeOffset ReceivedAt, byte[] Value);
