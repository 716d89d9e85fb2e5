namespace EdgeTwin.Drivers.Ble.Gatt;

using System.Buffers.Binary;
using EdgeTwin.Drivers.Hardware;
using EdgeTwin.Drivers.Model;

/// <summary>
/// Weight Measurement (0x2A9D, Weight Scale Service 1.0 §3.1; sent by indication): flags, the weight
/// uint16 in units of 0.005 kg or, with flag bit 0 (imperial), 0.01 lb (converted here to kg); then a
/// Date Time stamp (bit 1), a user id (bit 2: 255 = unknown user) and BMI uint16 in 0.1 kg/m2 with
/// height uint16 in 0.001 m or, imperial, 0.1 in (bit 3). A weight of 0xFFFF is "measurement
/// unsuccessful": refused with that reason. Bits 4-7 are reserved and ignored.
/// </summary>
internal sealed class WeightMeasurementDecoder : IGattDecoder
{
    private const double KgPerLb = 0.45359237;

    public string CharacteristicUuid { get; } = BluetoothUuid.From16(0x2A9D);

    public IReadOnlyList<SensorStream> Streams { get; } =
        [new(StreamCodes.BodyWeight, 0.5, 400), new(StreamCodes.BodyMassIndex, 5, 100), new(StreamCodes.BodyHeight, 0.3, 2.6)];

    public string? Decode(ReadOnlySpan<byte> payload, ICollection<GattReading> readings)
    {
        if (payload.Length < 3)
        {
            return $"weight measurement of {payload.Length} bytes; at least 3 expected";
        }

        var flags = payload[0];
        var imperial = (flags & 0x01) != 0;
        var timeAt = (flags & 0x02) != 0 ? 3 : -1;
        var userAt = 3 + (timeAt >= 0 ? BleDateTime.Size : 0);
        var bmiAt = userAt + ((flags & 0x04) != 0 ? 1 : 0);
        var needed = bmiAt + ((flags & 0x08) != 0 ? 4 : 0);
        if (payload.Length < needed)
        {
            return $"weight measurement of {payload.Length} bytes; flags 0x{flags:X2} need {needed}";
        }

        var raw = BinaryPrimitives.ReadUInt16LittleEndian(payload[1..]);
        if (raw == 0xFFFF)
        {
            return "weight measurement refused: the scale reports the measurement unsuccessful (0xFFFF)";
        }

        if (BleDateTime.ReadOptional(payload, timeAt, out var at) is { } timeProblem)
        {
            return $"weight measurement refused: {timeProblem}";
        }

        readings.Add(new GattReading(StreamCodes.BodyWeight, imperial ? Math.Round(raw * 0.01 * KgPerLb, 3) : Math.Round(raw * 0.005, 3)) { DeviceTime = at });
        if ((flags & 0x08) != 0)
        {
            var bmi = BinaryPrimitives.ReadUInt16LittleEndian(payload[bmiAt..]);
            var height = BinaryPrimitives.ReadUInt16LittleEndian(payload[(bmiAt + 2)..]);
            readings.Add(new GattReading(StreamCodes.BodyMassIndex, Math.Round(bmi * 0.1, 1)) { DeviceTime = at });
            readings.Add(new GattReading(StreamCodes.BodyHeight, imperial ? Math.Round(height * 0.1 * 0.0254, 4) : Math.Round(height * 0.001, 3)) { DeviceTime = at });
        }

        return null;
    }
}
