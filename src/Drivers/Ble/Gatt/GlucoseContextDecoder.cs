namespace EdgeTwin.Drivers.Ble.Gatt;

using System.Buffers.Binary;

/// <summary>
/// Glucose Measurement Context (0x2A34, Glucose Service 1.0 §3.2): flags, the sequence number of the
/// measurement it belongs to, then an extended flags byte (bit 7), carbohydrate id and SFLOAT in kg
/// (bit 0, given here in g), meal (bit 1), tester and health nibbles (bit 2), exercise duration uint16 s
/// and intensity uint8 % (bit 3), medication id and SFLOAT in kg or, with bit 5, litres (bit 4, given
/// here in mg or mL), HbA1c SFLOAT % (bit 6). A special value (NaN, NRes, +/-INFINITY, reserved) in a
/// field refuses the context naming the field; the measurement it belongs to stands.
/// </summary>
internal static class GlucoseContextDecoder
{
    public static string Uuid { get; } = BluetoothUuid.From16(0x2A34);

    private static readonly string[] Carbohydrates = ["reserved", "breakfast", "lunch", "dinner", "snack", "drink", "supper", "brunch"];
    private static readonly string[] Meals = ["reserved", "preprandial (before meal)", "postprandial (after meal)", "fasting", "casual", "bedtime"];
    private static readonly string[] Testers = ["reserved", "self", "health care professional", "lab test"];
    private static readonly string[] Healths = ["reserved", "minor health issues", "major health issues", "during menses", "under stress", "no health issues"];
    private static readonly string[] Medications = ["reserved", "rapid acting insulin", "short acting insulin", "intermediate acting insulin", "long acting insulin", "pre-mixed insulin"];

    /// <summary>The context, or null and the reason it is malformed or refused.</summary>
    public static string? Read(ReadOnlySpan<byte> payload, out GlucoseContext? context)
    {
        context = null;
        if (payload.Length < 3)
        {
            return $"glucose context of {payload.Length} bytes; at least 3 expected";
        }

        var flags = payload[0];
        var sequence = BinaryPrimitives.ReadUInt16LittleEndian(payload[1..]);
        var at = 3 + ((flags & 0x80) != 0 ? 1 : 0);
        var carbohydrateAt = (flags & 0x01) != 0 ? at : -1;
        at += carbohydrateAt >= 0 ? 3 : 0;
        var mealAt = (flags & 0x02) != 0 ? at : -1;
        at += mealAt >= 0 ? 1 : 0;
        var testerAt = (flags & 0x04) != 0 ? at : -1;
        at += testerAt >= 0 ? 1 : 0;
        var exerciseAt = (flags & 0x08) != 0 ? at : -1;
        at += exerciseAt >= 0 ? 3 : 0;
        var medicationAt = (flags & 0x10) != 0 ? at : -1;
        at += medicationAt >= 0 ? 3 : 0;
        var hba1cAt = (flags & 0x40) != 0 ? at : -1;
        var needed = at + (hba1cAt >= 0 ? 2 : 0);
        if (payload.Length < needed)
        {
            return $"glucose context of {payload.Length} bytes; flags 0x{flags:X2} need {needed}";
        }

        foreach (var (offset, name) in new[] { (carbohydrateAt + 1, "carbohydrate"), (medicationAt + 1, "medication"), (hba1cAt, "HbA1c") })
        {
            if (offset > 0 && Ieee11073.SFloatSpecial(payload.Slice(offset, 2)) is { } special)
            {
                return $"glucose context {sequence} refused: {name} is {special}";
            }
        }

        var millilitres = (flags & 0x20) != 0;
        context = new GlucoseContext(sequence)
        {
            Carbohydrate = carbohydrateAt >= 0 ? Name(Carbohydrates, payload[carbohydrateAt]) : null,
            CarbohydrateGrams = carbohydrateAt >= 0 ? Math.Round(Ieee11073.SFloat(payload.Slice(carbohydrateAt + 1, 2))!.Value * 1000, 6) : null,
            Meal = mealAt >= 0 ? Name(Meals, payload[mealAt]) : null,
            Tester = testerAt >= 0 ? Nibble(Testers, payload[testerAt] & 0x0F) : null,
            Health = testerAt >= 0 ? Nibble(Healths, payload[testerAt] >> 4) : null,
            ExerciseSeconds = exerciseAt >= 0 ? BinaryPrimitives.ReadUInt16LittleEndian(payload[exerciseAt..]) : null,
            ExerciseIntensityPercent = exerciseAt >= 0 ? payload[exerciseAt + 2] : null,
            Medication = medicationAt >= 0 ? Name(Medications, payload[medicationAt]) : null,
            MedicationAmount = medicationAt >= 0 ? Math.Round(Ieee11073.SFloat(payload.Slice(medicationAt + 1, 2))!.Value * (millilitres ? 1000 : 1_000_000), 6) : null,
            MedicationInMillilitres = medicationAt >= 0 && millilitres,
            HbA1cPercent = hba1cAt >= 0 ? Ieee11073.SFloat(payload.Slice(hba1cAt, 2)) : null,
        };
        return null;
    }

    private static string Name(string[] names, int value) => value < names.Length ? names[value] : "reserved";

    /// <summary>Tester and health are nibbles where 0xF means "not available".</summary>
    private static string Nibble(string[] names, int value) => value == 0x0F ? "not available" : Name(names, value);
}
