namespace EdgeTwin.Drivers.Ble.Gatt;

using System.Globalization;

/// <summary>
/// One decoded Glucose Measurement Context (0x2A34), matched to its measurement by
/// <see cref="Sequence"/>. Every field is null when the flags say it is absent.
/// </summary>
internal sealed record GlucoseContext(ushort Sequence)
{
    public string? Carbohydrate { get; init; }

    public double? CarbohydrateGrams { get; init; }

    public string? Meal { get; init; }

    public string? Tester { get; init; }

    public string? Health { get; init; }

    /// <summary>Exercise duration in seconds; 65535 means "overrun" (longer than the meter counts).</summary>
    public int? ExerciseSeconds { get; init; }

    public int? ExerciseIntensityPercent { get; init; }

    public string? Medication { get; init; }

    /// <summary>Medication in milligrams or, when <see cref="MedicationInMillilitres"/>, millilitres.</summary>
    public double? MedicationAmount { get; init; }

    public bool MedicationInMillilitres { get; init; }

    public double? HbA1cPercent { get; init; }

    /// <summary>One line for the log: the fields present.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (Meal is not null)
        {
            parts.Add($"meal {Meal}");
        }

        if (Carbohydrate is not null)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"carbohydrate {Carbohydrate} {CarbohydrateGrams} g"));
        }

        if (Tester is not null)
        {
            parts.Add($"tester {Tester}, health {Health}");
        }

        if (ExerciseSeconds is { } seconds)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"exercise {(seconds == 0xFFFF ? "overrun" : $"{seconds} s")} at {ExerciseIntensityPercent} %"));
        }

        if (Medication is not null)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"medication {Medication} {MedicationAmount} {(MedicationInMillilitres ? "mL" : "mg")}"));
        }

        if (HbA1cPercent is { } hba1c)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"HbA1c {hba1c} %"));
        }

        return parts.Count == 0 ? "no context fields" : string.Join(", ", parts);
    }
}
