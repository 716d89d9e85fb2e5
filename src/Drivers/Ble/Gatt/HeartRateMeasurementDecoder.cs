namespace EdgeTwin.Drivers.Ble.Gatt;

using System.Buffers.Binary;
using EdgeTwin.Drivers.Hardware;
using EdgeTwin.Drivers.Model;

/// <summary>
/// Heart Rate Measurement (0x2A37, Heart Rate Service 1.0 §3.1): flags, then the rate as uint8 or
/// uint16 (flag bit 0), Energy Expended uint16 kJ (bit 3), then RR intervals uint16 in 1/1024 s (bit 4).
/// Sensor contact (bits 1-2): "supported but not detected" (bit 2 set, bit 1 clear) means the strap
/// is off the skin, so the rate is invalid (null). Energy and RR are checked for length, not used.
/// Bits 5-7 are reserved for future use and, as the Core specification requires, ignored.
/// </summary>
internal sealed class HeartRateMeasurementDecoder : IGattDecoder
{
    public string CharacteristicUuid { get; } = BluetoothUuid.From16(0x2A37);

    public IReadOnlyList<SensorStream> Streams { get; } = [new(StreamCodes.HeartRate, 25, 250)];

    public string? Decode(ReadOnlySpan<byte> payload, ICollection<GattReading> readings)
    {
        if (payload.Length < 2)
        {
            return $"heart rate measurement of {payload.Length} bytes; at least 2 expected";
        }

        var flags = payload[0];
        var wide = (flags & 0x01) != 0;
        var energy = (flags & 0x08) != 0;
        var rr = (flags & 0x10) != 0;
        var needed = 1 + (wide ? 2 : 1) + (energy ? 2 : 0) + (rr ? 2 : 0);
        if (payload.Length < needed)
        {
            return $"heart rate measurement of {payload.Length} bytes; flags 0x{flags:X2} need at least {needed}";
        }

        var rrBytes = payload.Length - (needed - (rr ? 2 : 0));
        if (rr && rrBytes % 2 != 0)
        {
            return $"heart rate measurement has {rrBytes} bytes of RR intervals; uint16 values expected";
        }

        double rate = wide ? BinaryPrimitives.ReadUInt16LittleEndian(payload[1..]) : payload[1];
        var contactSupported = (flags & 0x04) != 0;
        var contactDetected = (flags & 0x02) != 0;
        readings.Add(new GattReading(StreamCodes.HeartRate, contactSupported && !contactDetected ? null : rate));
        return null;
    }
}
