namespace EdgeTwin.Drivers.Ble.Gatt;

using System.Buffers.Binary;
using EdgeTwin.Drivers.Hardware;
using EdgeTwin.Drivers.Model;

/// <summary>
/// Glucose Measurement (0x2A18, Glucose Service 1.0 §3.1; sent by notification, live or in answer to
/// the Record Access Control Point): flags, sequence number uint16, Base Time (a Date Time), then a
/// Time Offset sint16 in minutes (bit 0), the concentration SFLOAT with the Type-Sample Location byte
/// (bit 1) in kg/L or, with bit 2, mol/L, and the Sensor Status Annunciation uint16 (bit 3); bit 4 says
/// a context (0x2A34) follows. kg/L become mg/dL (x 100000) and mol/L mmol/L (x 1000). A capillary
/// sample (type 1, 2) is the glucometer's capillary code; venous, arterial or undetermined blood the
/// blood code. Refused with the reason: no concentration, a special value (NaN, NRes, +/-INFINITY,
/// reserved), interstitial fluid or control solution (not the patient's blood), and a status saying the
/// result is not a measurement (sensor malfunction, sample too small, strip errors, result above or
/// below the meter's range, temperature out of range, read interrupted, device fault, time fault). A low
/// battery keeps the value. Bits 5-7 of the flags are reserved and ignored.
/// </summary>
internal sealed class GlucoseMeasurementDecoder : IGattDecoder
{
    public const int MinimumLength = 10;

    private static readonly (int Bit, string Meaning)[] Refusing =
    [
        (1, "sensor malfunction"), (2, "sample size insufficient"), (3, "strip insertion error"), (4, "strip type incorrect"),
        (5, "result higher than the meter can process (HI)"), (6, "result lower than the meter can process (LO)"),
        (7, "sensor temperature too high"), (8, "sensor temperature too low"), (9, "sensor read interrupted (strip pulled too soon)"),
        (10, "general device fault"), (11, "time fault (the meter's time is not reliable)"),
    ];

    public string CharacteristicUuid { get; } = BluetoothUuid.From16(0x2A18);

    public IReadOnlyList<SensorStream> Streams { get; } =
    [
        new(StreamCodes.GlucoseCapillaryMass, 10, 1000), new(StreamCodes.GlucoseCapillaryMoles, 0.5, 55),
        new(StreamCodes.GlucoseBloodMass, 10, 1000), new(StreamCodes.GlucoseBloodMoles, 0.5, 55), new(StreamCodes.HbA1c, 2, 25),
    ];

    public string? Decode(ReadOnlySpan<byte> payload, ICollection<GattReading> readings)
    {
        var problem = Read(payload, out var measurement);
        if (measurement is not null)
        {
            readings.Add(measurement.Reading);
        }

        return problem;
    }

    /// <summary>The measurement, or null and the reason it is malformed or refused.</summary>
    public static string? Read(ReadOnlySpan<byte> payload, out GlucoseMeasurement? measurement)
    {
        measurement = null;
        if (payload.Length < MinimumLength)
        {
            return $"glucose measurement of {payload.Length} bytes; at least {MinimumLength} expected";
        }

        var flags = payload[0];
        var sequence = BinaryPrimitives.ReadUInt16LittleEndian(payload[1..]);
        var offsetAt = (flags & 0x01) != 0 ? MinimumLength : -1;
        var concentrationAt = MinimumLength + (offsetAt >= 0 ? 2 : 0);
        var statusAt = concentrationAt + ((flags & 0x02) != 0 ? 3 : 0);
        var needed = statusAt + ((flags & 0x08) != 0 ? 2 : 0);
        if (payload.Length < needed)
        {
            return $"glucose measurement of {payload.Length} bytes; flags 0x{flags:X2} need {needed}";
        }

        if ((flags & 0x02) == 0)
        {
            return $"glucose measurement {sequence} refused: it carries no concentration (flags bit 1 clear)";
        }

        if (Ieee11073.SFloatSpecial(payload.Slice(concentrationAt, 2)) is { } special)
        {
            return $"glucose measurement {sequence} refused: the concentration is {special}";
        }

        var typeLocation = payload[concentrationAt + 2];
        if (Stream(typeLocation & 0x0F, (flags & 0x04) != 0, typeLocation >> 4) is not { } stream)
        {
            return $"glucose measurement {sequence} refused: {((typeLocation & 0x0F) == 9 ? "interstitial fluid, not blood" : "a control solution test, not the patient")} (type-sample location 0x{typeLocation:X2})";
        }

        if ((flags & 0x08) != 0)
        {
            var status = BinaryPrimitives.ReadUInt16LittleEndian(payload[statusAt..]);
            var reasons = Refusing.Where(r => (status & (1 << r.Bit)) != 0).Select(r => r.Meaning).ToList();
            if (reasons.Count > 0)
            {
                return $"glucose measurement {sequence} refused: the meter reports {string.Join(", ", reasons)}";
            }
        }

        var baseTime = BleDateTime.Read(payload.Slice(3, BleDateTime.Size), out var timeProblem);
        if (baseTime is null)
        {
            return $"glucose measurement {sequence} refused: {timeProblem}";
        }

        var minutes = offsetAt >= 0 ? BinaryPrimitives.ReadInt16LittleEndian(payload[offsetAt..]) : 0;
        var at = baseTime.Value.AddMinutes(minutes);
        var value = Ieee11073.SFloat(payload.Slice(concentrationAt, 2))!.Value;
        var converted = stream.Unit == "mg/dL" ? Math.Round(value * 100_000, 6) : Math.Round(value * 1000, 6);
        measurement = new GlucoseMeasurement(sequence, at, new GattReading(stream, converted) { DeviceTime = at }, (flags & 0x10) != 0);
        return null;
    }

    /// <summary>The stream for a sample type (low nibble), unit and sample location; null for interstitial fluid and control solution.</summary>
    private static StreamCode? Stream(int type, bool molar, int location) => type switch
    {
        9 or 10 => null,
        _ when location == 4 => null,
        1 or 2 => molar ? StreamCodes.GlucoseCapillaryMoles : StreamCodes.GlucoseCapillaryMass,
        _ => molar ? StreamCodes.GlucoseBloodMoles : StreamCodes.GlucoseBloodMass,
    };
}
