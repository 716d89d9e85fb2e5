namespace EdgeTwin.Drivers.Ble.Gatt;

using System.Buffers.Binary;
using EdgeTwin.Drivers.Hardware;
using EdgeTwin.Drivers.Model;

/// <summary>
/// Blood Pressure Measurement (0x2A35, Blood Pressure Service 1.1 §3.1; sent by indication): flags,
/// systolic, diastolic and mean arterial pressure as SFLOATs in mmHg or, with flag bit 0, kPa
/// (converted here to mmHg), then a Date Time stamp (bit 1), the pulse rate SFLOAT (bit 2), a user id
/// (bit 3) and the Measurement Status uint16 (bit 4). A special value (NaN, NRes, +/-INFINITY) in a
/// pressure refuses the whole measurement with its reason; in the pulse rate it makes only the pulse
/// invalid. Status bits 0 (body movement), 1 (cuff too loose) and 5 (improper measurement position)
/// make the pressures untrustworthy: the measurement is refused naming them; bit 2 (irregular pulse)
/// and bits 3-4 (pulse rate range) are clinical information, the values stand. Bits 5-7 of the flags
/// are reserved and ignored.
/// </summary>
internal sealed class BloodPressureMeasurementDecoder : IGattDecoder
{
    private const double MmHgPerKpa = 7.500615758;

    private static readonly (int Bit, string Meaning)[] Untrustworthy = [(0, "body movement during measurement"), (1, "cuff too loose"), (5, "improper measurement position")];

    public string CharacteristicUuid { get; } = BluetoothUuid.From16(0x2A35);

    public IReadOnlyList<SensorStream> Streams { get; } =
    [
        new(StreamCodes.SystolicBp, 40, 300), new(StreamCodes.DiastolicBp, 20, 200), new(StreamCodes.MeanBp, 30, 250),
        new(StreamCodes.PulseRateNoninvasive, 25, 250),
    ];

    public string? Decode(ReadOnlySpan<byte> payload, ICollection<GattReading> readings)
    {
        if (payload.Length < 7)
        {
            return $"blood pressure measurement of {payload.Length} bytes; at least 7 expected";
        }

        var flags = payload[0];
        var kpa = (flags & 0x01) != 0;
        var timeAt = (flags & 0x02) != 0 ? 7 : -1;
        var pulseAt = 7 + (timeAt >= 0 ? BleDateTime.Size : 0);
        var userAt = pulseAt + ((flags & 0x04) != 0 ? 2 : 0);
        var statusAt = userAt + ((flags & 0x08) != 0 ? 1 : 0);
        var needed = statusAt + ((flags & 0x10) != 0 ? 2 : 0);
        if (payload.Length < needed)
        {
            return $"blood pressure measurement of {payload.Length} bytes; flags 0x{flags:X2} need {needed}";
        }

        foreach (var (offset, name) in new[] { (1, "systolic"), (3, "diastolic"), (5, "mean arterial pressure") })
        {
            if (Ieee11073.SFloatSpecial(payload.Slice(offset, 2)) is { } special)
            {
                return $"blood pressure measurement refused: {name} is {special}";
            }
        }

        if ((flags & 0x10) != 0)
        {
            var status = BinaryPrimitives.ReadUInt16LittleEndian(payload[statusAt..]);
            var reasons = Untrustworthy.Where(u => (status & (1 << u.Bit)) != 0).Select(u => u.Meaning).ToList();
            if (reasons.Count > 0)
            {
                return $"blood pressure measurement refused: the cuff reports {string.Join(", ", reasons)}";
            }
        }

        if (BleDateTime.ReadOptional(payload, timeAt, out var at) is { } timeProblem)
        {
            return $"blood pressure measurement refused: {timeProblem}";
        }

        readings.Add(new GattReading(StreamCodes.SystolicBp, Pressure(payload.Slice(1, 2), kpa)) { DeviceTime = at });
        readings.Add(new GattReading(StreamCodes.DiastolicBp, Pressure(payload.Slice(3, 2), kpa)) { DeviceTime = at });
        readings.Add(new GattReading(StreamCodes.MeanBp, Pressure(payload.Slice(5, 2), kpa)) { DeviceTime = at });
        if ((flags & 0x04) != 0)
        {
            readings.Add(new GattReading(StreamCodes.PulseRateNoninvasive, Ieee11073.SFloat(payload.Slice(pulseAt, 2))) { DeviceTime = at });
        }

        return null;
    }

    /// <summary>A pressure in mmHg; kPa converted and rounded to 0.1 mmHg. Special values were refused before.</summary>
    private static double Pressure(ReadOnlySpan<byte> sfloat, bool kpa) =>
        kpa ? Math.Round(Ieee11073.SFloat(sfloat)!.Value * MmHgPerKpa, 1) : Ieee11073.SFloat(sfloat)!.Value;
}
