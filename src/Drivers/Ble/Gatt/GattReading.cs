namespace EdgeTwin.Drivers.Ble.Gatt;

using EdgeTwin.Drivers.Model;

/// <summary>One value decoded from a notification; null when the device says it is not a valid measurement.</summary>
internal readonly record struct GattReading(StreamCode Stream, double? Value);
