namespace EdgeTwin.Drivers.Hl7;

using System.Globalization;
using EdgeTwin.Drivers.Hl7.Nomenclature;

/// <summary>
/// OBX-6 against a stream's unit. OBX-6 names a unit by MDC_DIM code and reference id
/// (<c>264864^MDC_DIM_BEAT_PER_MIN^MDC</c>), by UCUM code, or by a plain spelling (<c>bpm</c>). As
/// for observations, an MDC code decides over its reference id: a reference id of another unit
/// refuses the OBX, an unknown one is a disagreement (counted). A missing unit, or one for another
/// quantity (a heart rate in breaths per minute), is refused rather than guessed.
/// </summary>
internal static class UnitConversion
{
    /// <summary>
    /// Converts <paramref name="value"/> given in the unit OBX-6 names (identifier, text) into the
    /// stream's unit; false with the reason when the unit is missing, unknown, contradictory or for another quantity.
    /// </summary>
    public static bool TryConvert(Hl7Stream stream, string identifier, string text, double value, out double converted, out string? problem, out bool referenceIdDisagrees)
    {
        converted = 0;
        referenceIdDisagrees = false;
        var expected = stream.Code.Unit;
        if (identifier.Length == 0 && text.Length == 0)
        {
            problem = $"no unit given (expected {expected})";
            return false;
        }

        Hl7Unit? unit;
        if (identifier.Length > 0 && identifier.All(char.IsAsciiDigit))
        {
            unit = int.TryParse(identifier, NumberStyles.None, CultureInfo.InvariantCulture, out var code) ? Hl7Units.ByMdcCode(code) : null;
            if (unit is null)
            {
                problem = $"unit code {identifier} is no MDC_DIM code known here (expected {expected})";
                return false;
            }

            if (text.StartsWith("MDC_", StringComparison.Ordinal) && text != unit.ReferenceId)
            {
                if (Hl7Units.ByReferenceId(text) is { } named)
                {
                    problem = $"unit code {identifier} is {unit} but OBX-6.2 names {named}: contradictory unit";
                    return false;
                }

                referenceIdDisagrees = true;
            }
        }
        else
        {
            unit = Find(identifier) ?? Find(text);
        }

        if (unit is null || !unit.Fits(stream))
        {
            problem = unit is not null && unit.StreamUnit == expected
                ? $"unit '{unit}' counts {unit.Counts.ToString().ToLowerInvariant()}, not {stream.Counts.ToString().ToLowerInvariant()}"
                : $"unit '{(identifier.Length > 0 ? identifier : text)}' is not {expected} or convertible to it";
            return false;
        }

        converted = unit.ToStream(value);
        problem = null;
        return true;
    }

    private static Hl7Unit? Find(string name) => name.Length == 0 ? null : Hl7Units.BySpelling(name) ?? Hl7Units.ByReferenceId(name);
}
