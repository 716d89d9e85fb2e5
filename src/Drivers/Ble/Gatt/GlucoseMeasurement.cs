namespace EdgeTwin.Drivers.Ble.Gatt;

/// <summary>
/// One decoded Glucose Measurement (0x2A18): the meter's record number, its time (Base Time + Time
/// Offset: the meter's local wall clock), the concentration as a reading, and whether a Glucose
/// Measurement Context (0x2A34) with the same sequence number follows.
/// </summary>
internal sealed record GlucoseMeasurement(ushort Sequence, DateTime DeviceTime, GattReading Reading, bool ContextFollows);
