namespace EdgeTwin.Drivers.Hl7;

using EdgeTwin.Drivers.Model;

/// <summary>
/// OBX-6 units against a stream's UCUM unit. An OBX-6 names a unit by UCUM code or by MDC code and
/// reference id (<c>264864^MDC_DIM_BEAT_PER_MIN^MDC</c>). The only conversions are the unambiguous
/// ones (Fahrenheit to Celsius, kPa to mm[Hg], pounds to kg); anything else, including a missing
/// unit, is refused rather than guessed.
/// </summary>
internal static class UnitConversion
{
    private const double MillimetresOfMercuryPerKilopascal = 7.500617;
    private const double KilogramsPerPound = 0.45359237;

    private static readonly IReadOnlyList<(string Unit, string[] Names, Func<double, double> ToStream)> Known =
    [
        ("/min", ["/min", "{beats}/min", "{beat}/min", "{breaths}/min", "{breath}/min", "264864", "MDC_DIM_BEAT_PER_MIN", "264928", "MDC_DIM_RESP_PER_MIN"], v => v),
        ("%", ["%", "262688", "MDC_DIM_PERCENT"], v => v),
        ("Cel", ["Cel", "268192", "MDC_DIM_DEGC"], v => v),
        ("Cel", ["[degF]", "266560", "MDC_DIM_FAHR"], v => (v - 32) * 5 / 9),
        ("mm[Hg]", ["mm[Hg]", "266016", "MDC_DIM_MMHG"], v => v),
        ("mm[Hg]", ["kPa", "265987", "MDC_DIM_KILO_PASCAL"], v => v * MillimetresOfMercuryPerKilopascal),
        ("kg", ["kg", "263875", "MDC_DIM_KILO_G"], v => v),
        ("kg", ["[lb_av]"], v => v * KilogramsPerPound),
    ];

    /// <summary>
    /// Converts <paramref name="value"/> given in the unit named by OBX-6 (identifier, text) into the
    /// stream's unit; false with the reason when the unit is missing, unknown or for another quantity.
    /// </summary>
    public static bool TryConvert(StreamCode stream, string identifier, string text, double value, out double converted, out string? problem)
    {
        converted = 0;
        if (identifier.Length == 0 && text.Length == 0)
        {
            problem = $"no unit given (expected {stream.Unit})";
            return false;
        }

        foreach (var (unit, names, toStream) in Known)
        {
            if (unit == stream.Unit && (Names(names, identifier) || Names(names, text)))
            {
                converted = toStream(value);
                problem = null;
                return true;
            }
        }

        problem = $"unit '{(identifier.Length > 0 ? identifier : text)}' is not {stream.Unit} or convertible to it";
        return false;
    }

    private static bool Names(string[] names, string candidate) => candidate.Length > 0 && names.Contains(candidate, StringComparer.Ordinal);
}
