namespace EdgeTwin.Drivers.Ble.Gatt;

using EdgeTwin.Drivers.Hardware;
using EdgeTwin.Drivers.Model;

/// <summary>
/// Temperature Measurement (0x2A1C, Health Thermometer Service 1.0 §3.1): flags, a 32-bit IEEE-11073
/// FLOAT in Celsius or, with flag bit 0, Fahrenheit (converted here), then a 7-byte Date Time
/// (bit 1) and a one-byte Temperature Type (bit 2, checked for length, not used). The time stamp is
/// the measurement's (<see cref="GattReading.DeviceTime"/>; the driver charts at it only when the
/// device clock agrees with the box's: <see cref="DeviceClock"/>); an unknown or invalid one refuses
/// the measurement. Bits 3-7 are reserved for future use and ignored, as the Core specification requires.
/// </summary>
internal sealed class TemperatureMeasurementDecoder : IGattDecoder
{
    public string CharacteristicUuid { get; } = BluetoothUuid.From16(0x2A1C);

    public IReadOnlyList<SensorStream> Streams { get; } = [new(StreamCodes.BodyTemperature, 30, 43)];

    public string? Decode(ReadOnlySpan<byte> payload, ICollection<GattReading> readings)
    {
        if (payload.Length < 5)
        {
            return $"temperature measurement of {payload.Length} bytes; at least 5 expected";
        }

        var flags = payload[0];
        var needed = 5 + ((flags & 0x02) != 0 ? 7 : 0) + ((flags & 0x04) != 0 ? 1 : 0);
        if (payload.Length < needed)
        {
            return $"temperature measurement of {payload.Length} bytes; flags 0x{flags:X2} need {needed}";
        }

        if (BleDateTime.ReadOptional(payload, (flags & 0x02) != 0 ? 5 : -1, out var at) is { } timeProblem)
        {
            return $"temperature measurement refused: {timeProblem}";
        }

        var value = Ieee11073.Float(payload.Slice(1, 4));
        var fahrenheit = (flags & 0x01) != 0;
        readings.Add(new GattReading(StreamCodes.BodyTemperature, fahrenheit && value is { } f ? Math.Round((f - 32) * 5 / 9, 6) : value) { DeviceTime = at });
        return null;
    }
}
