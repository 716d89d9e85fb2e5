namespace EdgeTwin.Drivers.Ble.Gatt;

using System.Buffers.Binary;
using EdgeTwin.Drivers.Hardware;
using EdgeTwin.Drivers.Model;

/// <summary>
/// PLX Spot-check Measurement (0x2A5E, Pulse Oximeter Service 1.0 §3.1; sent by indication): flags,
/// SpO2 and pulse rate SFLOATs, then a Date Time stamp (bit 0), Measurement Status uint16 (bit 1),
/// Device and Sensor Status uint24 (bit 2) and Pulse Amplitude Index SFLOAT (bit 3). The validity rules
/// are the continuous measurement's (<see cref="PlxContinuousMeasurementDecoder"/>); a special value
/// (NaN, NRes, +/-INFINITY) in SpO2 or the pulse rate refuses the measurement with its reason.
/// Bits 4-7 are reserved and ignored.
/// </summary>
internal sealed class PlxSpotCheckMeasurementDecoder : IGattDecoder
{
    public string CharacteristicUuid { get; } = BluetoothUuid.From16(0x2A5E);

    public IReadOnlyList<SensorStream> Streams { get; } = [new(StreamCodes.SpO2, 50, 100), new(StreamCodes.PulseRateOximetry, 25, 250)];

    public string? Decode(ReadOnlySpan<byte> payload, ICollection<GattReading> readings)
    {
        if (payload.Length < 5)
        {
            return $"PLX spot-check measurement of {payload.Length} bytes; at least 5 expected";
        }

        var flags = payload[0];
        var timeAt = (flags & 0x01) != 0 ? 5 : -1;
        var statusAt = 5 + (timeAt >= 0 ? BleDateTime.Size : 0);
        var deviceAt = statusAt + ((flags & 0x02) != 0 ? 2 : 0);
        var paiAt = deviceAt + ((flags & 0x04) != 0 ? 3 : 0);
        var needed = paiAt + ((flags & 0x08) != 0 ? 2 : 0);
        if (payload.Length < needed)
        {
            return $"PLX spot-check measurement of {payload.Length} bytes; flags 0x{flags:X2} need {needed}";
        }

        foreach (var (offset, name) in new[] { (1, "SpO2"), (3, "pulse rate") })
        {
            if (Ieee11073.SFloatSpecial(payload.Slice(offset, 2)) is { } special)
            {
                return $"PLX spot-check measurement refused: {name} is {special}";
            }
        }

        if (BleDateTime.ReadOptional(payload, timeAt, out var at) is { } timeProblem)
        {
            return $"PLX spot-check measurement refused: {timeProblem}";
        }

        var status = (flags & 0x02) != 0 ? BinaryPrimitives.ReadUInt16LittleEndian(payload[statusAt..]) : 0;
        var device = (flags & 0x04) != 0 ? payload[deviceAt] | (payload[deviceAt + 1] << 8) | (payload[deviceAt + 2] << 16) : 0;
        var invalid = PlxContinuousMeasurementDecoder.Invalid(status, device);
        readings.Add(new GattReading(StreamCodes.SpO2, invalid ? null : Ieee11073.SFloat(payload.Slice(1, 2))) { DeviceTime = at });
        readings.Add(new GattReading(StreamCodes.PulseRateOximetry, invalid ? null : Ieee11073.SFloat(payload.Slice(3, 2))) { DeviceTime = at });
        return null;
    }
}
