namespace EdgeTwin.Drivers.Ble.Gatt;

using System.Buffers.Binary;
using EdgeTwin.Drivers.Hardware;
using EdgeTwin.Drivers.Model;

/// <summary>
/// PLX Continuous Measurement (0x2A5F, Pulse Oximeter Service 1.0 §3.2): flags, SpO2 and pulse rate
/// (Normal) as SFLOATs, then optional Fast and Slow pairs (bits 0, 1), Measurement Status uint16
/// (bit 2), Device and Sensor Status uint24 (bit 3) and Pulse Amplitude Index SFLOAT (bit 4). The
/// Normal pair is reported. Both values are invalid (null) when the status says the measurement is
/// unavailable or invalid (status bits 13, 15) or the sensor is off the patient, disconnected or
/// failing (device bits 1, 11, 14, 15). Bits 5-7 of the flags are reserved and ignored.
/// </summary>
internal sealed class PlxContinuousMeasurementDecoder : IGattDecoder
{
    private const int MeasurementUnavailable = 1 << 13;
    private const int InvalidMeasurement = 1 << 15;
    private const int DeviceFaults = (1 << 1) | (1 << 11) | (1 << 14) | (1 << 15);

    public string CharacteristicUuid { get; } = BluetoothUuid.From16(0x2A5F);

    public IReadOnlyList<SensorStream> Streams { get; } = [new(StreamCodes.SpO2, 50, 100), new(StreamCodes.PulseRateOximetry, 25, 250)];

    /// <summary>Whether the Measurement Status and the Device and Sensor Status say the values are not a measurement.</summary>
    internal static bool Invalid(int status, int device) => (status & (MeasurementUnavailable | InvalidMeasurement)) != 0 || (device & DeviceFaults) != 0;

    public string? Decode(ReadOnlySpan<byte> payload, ICollection<GattReading> readings)
    {
        if (payload.Length < 5)
        {
            return $"PLX continuous measurement of {payload.Length} bytes; at least 5 expected";
        }

        var flags = payload[0];
        var offset = 5 + ((flags & 0x01) != 0 ? 4 : 0) + ((flags & 0x02) != 0 ? 4 : 0);
        var statusAt = (flags & 0x04) != 0 ? offset : -1;
        offset += statusAt >= 0 ? 2 : 0;
        var deviceAt = (flags & 0x08) != 0 ? offset : -1;
        offset += deviceAt >= 0 ? 3 : 0;
        var needed = offset + ((flags & 0x10) != 0 ? 2 : 0);
        if (payload.Length < needed)
        {
            return $"PLX continuous measurement of {payload.Length} bytes; flags 0x{flags:X2} need {needed}";
        }

        var status = statusAt >= 0 ? BinaryPrimitives.ReadUInt16LittleEndian(payload[statusAt..]) : 0;
        var device = deviceAt >= 0 ? payload[deviceAt] | (payload[deviceAt + 1] << 8) | (payload[deviceAt + 2] << 16) : 0;
        var invalid = Invalid(status, device);
        readings.Add(new GattReading(StreamCodes.SpO2, invalid ? null : Ieee11073.SFloat(payload.Slice(1, 2))));
        readings.Add(new GattReading(StreamCodes.PulseRateOximetry, invalid ? null : Ieee11073.SFloat(payload.Slice(3, 2))));
        return null;
    }
}
