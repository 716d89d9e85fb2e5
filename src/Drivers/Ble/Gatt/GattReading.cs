namespace EdgeTwin.Drivers.Ble.Gatt;

using EdgeTwin.Drivers.Model;

/// <summary>
/// One value decoded from a notification or indication; null when the device says it is not a valid
/// measurement. <see cref="DeviceTime"/> is the measurement's own time stamp when the characteristic
/// carries one (a Bluetooth Date Time: the device's local wall clock, no zone); the driver decides
/// whether to chart the sample at it (<see cref="DeviceClock"/>).
/// </summary>
internal readonly record struct GattReading(StreamCode Stream, double? Value)
{
    public DateTime? DeviceTime { get; init; }
}
